"""Settings every service shares; binding variable names of CONTRACTS.md ("Operating") are unprefixed."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from activateurs.shared.clock import Clock, OffsetClock, SystemClock


def env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class ProcessSettings(BaseSettings):
    """What every process of the platform reads: where it listens, its environment, the frontend's address.

    Subclasses name their service and port, and set `env_prefix` (e.g. WEB_) for their own options.
    Tracing's standard OTEL_* variables are read by tracing.py and the OpenTelemetry SDK, not here
    (deploy/README.md, "Tracing").
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)
    service_name: ClassVar[str]
    default_port: ClassVar[int]

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=env("ENVIRONMENT"))
    http_host: str = Field("127.0.0.1", validation_alias=env("HTTP_HOST"))
    http_port: int = Field(0, validation_alias=env("HTTP_PORT", "PORT"))
    # The web frontend (services/web, port 8000): every link in an email points there.
    public_base_url: str = Field("http://127.0.0.1:8000", validation_alias=env("PUBLIC_BASE_URL"))
    log_level: str = Field("INFO", validation_alias=env("LOG_LEVEL"))

    @model_validator(mode="after")
    def _default_port(self) -> ProcessSettings:
        if not self.http_port:
            self.http_port = self.default_port
        return self

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ProcessSettings:
        if self.environment == "production":
            found = [name for name, insecure in self.insecure_defaults().items() if insecure]
            if found:
                raise ValueError("refusing to start in production with default credentials: " + ", ".join(found))
        return self

    def insecure_defaults(self) -> dict[str, bool]:
        """Settings still at a development default; subclasses add their own secrets."""
        return {}


class ServiceSettings(ProcessSettings):
    """A backend service: its database, the broker, token verification, the outbox.

    Left unset, DATABASE_URL is the service's own local database `activateurs_<service>`.
    """

    rabbitmq_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", validation_alias=env("RABBITMQ_URL"))
    database_url: str = Field("", validation_alias=env("DATABASE_URL"))
    # Tokens are verified offline against the issuer's JWKS (registration by default; any OIDC issuer).
    jwks_url: str = Field("http://127.0.0.1:8001/.well-known/jwks.json", validation_alias=env("JWKS_URL"))
    jwt_issuer: str = Field("http://127.0.0.1:8001", validation_alias=env("JWT_ISSUER"))
    jwt_audience: str = Field("activateurs", validation_alias=env("JWT_AUDIENCE"))
    outbox_poll_interval: float = Field(1.0, validation_alias=env("OUTBOX_POLL_INTERVAL"))
    # How often the backlog gauges (outbox_waiting, …_oldest_waiting_seconds) are measured.
    backlog_metrics_seconds: float = Field(15.0, gt=0, validation_alias=env("BACKLOG_METRICS_SECONDS"))
    # Tests only (refused in production): keep published events' payloads in the outbox to inspect them.
    # Otherwise a payload is erased once RabbitMQ confirmed it: deleting an account leaves no copy behind.
    outbox_keep_published_payloads: bool = Field(False, validation_alias=env("OUTBOX_KEEP_PUBLISHED_PAYLOADS"))
    # Tests only (refused in production): run this process's clock ahead, e.g. past a 24-month deadline.
    clock_offset_seconds: float = Field(0.0, validation_alias=env("CLOCK_OFFSET_SECONDS"))

    @model_validator(mode="after")
    def _service_defaults(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/activateurs_{self.service_name}"
        return self

    @model_validator(mode="after")
    def _no_test_switches_in_production(self) -> ServiceSettings:
        if self.environment == "production" and self.clock_offset_seconds:
            raise ValueError("CLOCK_OFFSET_SECONDS is for tests; it cannot be set in production")
        if self.environment == "production" and self.outbox_keep_published_payloads:
            raise ValueError("OUTBOX_KEEP_PUBLISHED_PAYLOADS is for tests; it cannot be set in production")
        return self

    def clock(self) -> Clock:
        """The process clock: the system's, shifted only when a test asked for it."""
        if self.clock_offset_seconds:
            return OffsetClock(timedelta(seconds=self.clock_offset_seconds))
        return SystemClock()

    def insecure_defaults(self) -> dict[str, bool]:
        return {"RABBITMQ_URL": "guest:guest@" in self.rabbitmq_url}
