"""Notifier settings: SMTP connection and retry policy (SMTP_* and MAIL_FROM are the binding names)."""

from __future__ import annotations

from email.utils import parseaddr
from typing import ClassVar, Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings, env


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "notifier"
    default_port: ClassVar[int] = 8005

    smtp_host: str = Field("127.0.0.1", validation_alias=env("SMTP_HOST"))
    smtp_port: int = Field(1025, validation_alias=env("SMTP_PORT"))
    smtp_username: str | None = Field(None, validation_alias=env("SMTP_USERNAME"))
    smtp_password: str | None = Field(None, validation_alias=env("SMTP_PASSWORD"))
    smtp_tls: Literal["none", "starttls", "tls"] = Field("none", validation_alias=env("SMTP_TLS"))
    # The server certificate is verified against the system's CAs, or this bundle (a private CA).
    smtp_ca_file: str | None = Field(None, validation_alias=env("SMTP_CA_FILE"))
    smtp_timeout: float = 30.0
    mail_from: str = Field("France Num - Activateurs <ne-pas-repondre@activateurs.francenum.gouv.fr>",
                           validation_alias=env("MAIL_FROM"))

    # Sending: parallel SMTP connections, claim size, and how long a claimed mail stays reserved
    # to one sender before another replica may take it over (the sender died).
    smtp_connections: int = 4
    claim_batch: int = 100
    claim_lease_seconds: float = 120.0
    idle_poll_seconds: float = 1.0
    # Retries: attempt n waits backoff_base * 2**(n-1), capped; after max_attempts it is failed.
    max_attempts: int = 12
    backoff_base_seconds: float = 10.0
    backoff_max_seconds: float = 1800.0
    # Deleted account ids (no personal data) kept this long, so their mails requested later are erased too.
    deleted_accounts_days: int = Field(30, ge=1)
    # Delivery records (who got which mail, when) of sent and failed mails keep the recipient and subject this
    # long, for support questions; then they are erased, leaving anonymous counts. It also bounds what stays of
    # people who have no account here to delete (businesses, structures' contact addresses).
    delivery_records_days: int = Field(180, ge=1)

    @property
    def message_id_domain(self) -> str:
        address = parseaddr(self.mail_from)[1]
        return address.rpartition("@")[2] or "activateurs.local"
