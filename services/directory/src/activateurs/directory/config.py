"""Settings of the directory service."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class DirectorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIRECTORY_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "directory"
    default_port: ClassVar[int] = 8003

    # Connections of the asyncpg pool serving the public reads (search, profile pages, exports).
    read_pool_size: int = 20
    # Views and search appearances are added up in memory and written this often.
    counters_flush_seconds: float = 10.0

    # Partner API (A7): calls per minute per key, feed page size, and how old a change must be
    # before the feed serves it (so a cursor never skips a change committed a moment late).
    partner_rate_per_minute: int = 120
    feed_page_size: int = 500
    feed_settle_seconds: float = 2.0
