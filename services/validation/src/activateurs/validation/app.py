"""Wiring of the validation service: database, broker, consumers, deadline sweeper, routes."""

from __future__ import annotations

from fastapi import FastAPI

from activateurs.shared.clock import Clock
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.validation import (
    CharterPublished,
    DossierAccepted,
    DossierExpired,
    DossierRefused,
    InformationRequested,
    QuestionnaireLaunched,
    StructureReinstated,
    StructureStruckOff,
    StructureSuspended,
)
from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .adapters.website import website_probe
from .config import ValidationSettings
from .entrypoints.consumers import QUEUES, register_consumers
from .entrypoints.http import build_router
from .service.common import Context
from .service.deadlines import DeadlineSweeper

DESCRIPTION = "The DGE back-office: pre-checks, information requests, decisions, sanctions, audit log."


def build_service(settings: ValidationSettings, *, clock: Clock | None = None) -> Service:
    db = Database(settings.database_url, clock=clock or settings.clock())
    broker = create_broker("validation", settings)
    ctx = Context(db=db, emails=settings.emails, public_base_url=settings.public_base_url,
                  document_url=settings.document_url)
    probe = website_probe(settings.website_check_timeout) if settings.website_check else None
    subscribers = register_consumers(broker, ctx, prefetch=settings.consumer_prefetch, website_probe=probe)
    sweeper = DeadlineSweeper(ctx, poll=settings.deadline_poll_seconds, batch=settings.deadline_batch)
    service = Service(
        name="validation", version="0.1.0", description=DESCRIPTION, settings=settings, database=db, broker=broker,
        queues=QUEUES,
        publishes=(InformationRequested, DossierAccepted, DossierRefused, DossierExpired, StructureSuspended,
                   StructureReinstated, StructureStruckOff, CharterPublished, QuestionnaireLaunched, EmailRequested),
        routers=[build_router(ctx)], background={"deadlines": sweeper.run}, subscribers=subscribers,
    )
    service.sweeper = sweeper  # type: ignore[attr-defined]  # tests wake it after moving the clock
    return service


def create_app(settings: ValidationSettings | None = None) -> FastAPI:
    return build_service(settings or ValidationSettings()).create_app()
