"""Settings of the directory service."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class DirectorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIRECTORY_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "directory"
    default_port: ClassVar[int] = 8003

    # Connections of the asyncpg pool serving the public reads (search, profile pages, exports).
    read_pool_size: int = 20
    # Search pages kept in memory per process (bytes; 0 disables): served only while no publication
    # change committed since they were read, so always the database's current answer.
    search_cache_bytes: int = 64 * 1024 * 1024
    # Search totals are counted exactly up to this many results; past it `total` is this number and the
    # answer says `total_capped` (« plus de 100 résultats »): counting every match of a broad search
    # costs many times more than finding its page, and nobody pages that far.
    search_count_cap: int = Field(100, ge=1)
    # Views and search appearances are added up in memory and written this often.
    counters_flush_seconds: float = 10.0

    # Periodic jobs: how often they run; a structure accepted and not published this long after is
    # reported (log, gauge, event); partner calls are kept this many calendar months.
    maintenance_interval_seconds: float = 300.0
    publication_overdue_hours: float = 24.0
    partner_call_retention_months: int = 12

    # Partner API (A7): calls per minute per key, feed page size, and how old a change must be
    # before the feed serves it (so a cursor never skips a change committed a moment late).
    partner_rate_per_minute: int = 120
    feed_page_size: int = 500
    feed_settle_seconds: float = 2.0
