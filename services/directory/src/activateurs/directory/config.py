"""Settings of the directory service."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class DirectorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIRECTORY_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "directory"
    default_port: ClassVar[int] = 8003
