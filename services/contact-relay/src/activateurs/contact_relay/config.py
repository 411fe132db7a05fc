"""Settings of the contact-relay service."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class ContactRelaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTACT_RELAY_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "contact_relay"
    default_port: ClassVar[int] = 8004
