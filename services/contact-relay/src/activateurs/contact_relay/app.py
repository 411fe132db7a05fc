"""Wiring of contact-relay: database, broker, routing consumers, intake routes, the deadline sweeper."""

from __future__ import annotations

from fastapi import FastAPI

from activateurs.shared.clock import Clock
from activateurs.shared.contracts.contact_relay import (
    RequestAcknowledged,
    RequestForwarded,
    RequestOverdue,
    RequestRedirected,
)
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .config import ContactRelaySettings
from .entrypoints.consumers import QUEUES, register_consumers
from .entrypoints.http import router
from .service import sweeper
from .service.intake import Intake
from .service.links import Links
from .service.rate_limits import RateLimits

DESCRIPTION = "Business contact requests forwarded to activators, and the 48 working-hour acknowledgement."


def build_service(settings: ContactRelaySettings, *, clock: Clock | None = None, sweep: bool = True) -> Service:
    db = Database(settings.database_url, clock=clock or settings.clock())
    broker = create_broker("contact-relay", settings)
    links = Links(settings.public_base_url, settings.ack_token_secret, settings.ack_link_days)
    rate_limits = RateLimits(db, settings.ack_token_secret, per_address=settings.rate_limit_per_address,
                             per_email=settings.rate_limit_per_email, window=settings.rate_limit_window_seconds)
    background = {}
    if sweep:
        async def run_sweeper() -> None:
            await sweeper.run_forever(db, links, interval=settings.sweep_interval_seconds, batch=settings.sweep_batch,
                                     retention_months=settings.retention_months, rate_limits=rate_limits)

        background["deadline-sweeper"] = run_sweeper
    service = Service(
        name="contact-relay", version="0.1.0", description=DESCRIPTION, settings=settings, database=db, broker=broker,
        queues=QUEUES,
        publishes=(RequestForwarded, RequestAcknowledged, RequestOverdue, RequestRedirected, EmailRequested),
        routers=[router], background=background, subscribers=register_consumers(broker, db=db),
    )
    service.links = links  # type: ignore[attr-defined]
    service.intake = Intake(db, links)  # type: ignore[attr-defined]
    service.rate_limits = rate_limits  # type: ignore[attr-defined]
    return service


def create_app_for(service: Service) -> FastAPI:
    app = service.create_app()
    app.state.links = service.links  # type: ignore[attr-defined]
    app.state.intake = service.intake  # type: ignore[attr-defined]
    app.state.rate_limits = service.rate_limits  # type: ignore[attr-defined]
    return app


def create_app(settings: ContactRelaySettings | None = None) -> FastAPI:
    return create_app_for(build_service(settings or ContactRelaySettings()))
