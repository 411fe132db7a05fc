"""Wiring of the directory service: geography, consumers, public reads, counters, partner API."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import FastAPI

from activateurs.shared.clock import Clock
from activateurs.shared.contracts.directory import PublicationOverdue, StructurePublished, StructureUnpublished
from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .adapters.geography import load_geography
from .adapters.reads import ReadPool
from .adapters.search_cache import PageCache
from .config import DirectorySettings
from .entrypoints import partners_http
from .entrypoints.consumers import PUBLICATION, QUEUES, register_consumers
from .entrypoints.http import Directory, router
from .service.counters import Counters
from .service.maintenance import Maintenance
from .service.publication import Publisher

log = logging.getLogger(__name__)

DESCRIPTION = "The public directory of activators: publication, search, profiles, statistics, open data."


def build_service(settings: DirectorySettings, *, clock: Clock | None = None) -> Service:
    db = Database(settings.database_url, clock=clock or settings.clock())
    broker = create_broker("directory", settings)
    geography = load_geography()  # once per process
    log.info("geography data: %s", geography.source)
    publisher = Publisher(db, geography, settings.public_base_url, consumer=PUBLICATION.name)
    read_pool = ReadPool(db.url, size=settings.read_pool_size)
    counters = Counters(db, flush_seconds=settings.counters_flush_seconds)
    maintenance = Maintenance(db, every_seconds=settings.maintenance_interval_seconds,
                              overdue_after=timedelta(hours=settings.publication_overdue_hours),
                              call_retention_months=settings.partner_call_retention_months)
    service = Service(
        name="directory", version="0.1.0", description=DESCRIPTION, settings=settings, database=db, broker=broker,
        queues=QUEUES, publishes=(StructurePublished, StructureUnpublished, PublicationOverdue), routers=[router, partners_http.router],
        background={"read-pool": read_pool.run, "counters": counters.run, "maintenance": maintenance.run},
        subscribers=register_consumers(broker, publisher),
    )
    service.directory = Directory(read_pool, counters, geography, settings.public_base_url,  # type: ignore[attr-defined]
                                  PageCache(settings.search_cache_bytes), settings.search_count_cap)
    service.maintenance = maintenance  # type: ignore[attr-defined]
    return service


def create_app(settings: DirectorySettings | None = None) -> FastAPI:
    return build_service(settings or DirectorySettings()).create_app()
