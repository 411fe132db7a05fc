"""Settings of the contact-relay service."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings

DEV_ACK_SECRET = "dev-only-contact-relay-acknowledgement-secret"


class ContactRelaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTACT_RELAY_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "contact_relay"
    default_port: ClassVar[int] = 8004

    # Signs the one-click acknowledgement links; change it and the links already sent stop working.
    ack_token_secret: str = Field(DEV_ACK_SECRET, min_length=16)
    ack_link_days: int = Field(30, ge=1, description="How long an acknowledgement link works after receipt.")
    # Anti-abuse: requests per client address and per business email in a sliding window (approximated from
    # fixed windows' counters, see domain/rate_limits.py), counted in the database: all replicas share them.
    rate_limit_per_address: int = Field(20, ge=1)
    rate_limit_per_email: int = Field(5, ge=1)
    rate_limit_window_seconds: float = Field(3600.0, gt=0)
    retention_months: int = Field(24, ge=1, description="Businesses' personal data is erased after this long.")
    sweep_interval_seconds: float = Field(5.0, gt=0)
    sweep_batch: int = Field(1000, ge=1)

    def insecure_defaults(self) -> dict[str, bool]:
        return {**super().insecure_defaults(),
                "CONTACT_RELAY_ACK_TOKEN_SECRET": self.ack_token_secret == DEV_ACK_SECRET}
