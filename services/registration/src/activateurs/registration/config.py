"""Settings of the registration service."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "registration"
    default_port: ClassVar[int] = 8001
