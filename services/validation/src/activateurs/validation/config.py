"""Settings of the validation service."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class ValidationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VALIDATION_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "validation"
    default_port: ClassVar[int] = 8002
