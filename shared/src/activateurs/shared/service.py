"""Builds a service process: FastAPI for HTTP, FastStream for events, the outbox relay and workers, one lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.rabbit import Channel, RabbitBroker
from faststream.specification import AsyncAPI

from . import tracing
from .auth import JwksVerifier
from .contracts import Event
from .db import Database
from .health import health_router, readiness_checks
from .http_metrics import MetricsMiddleware
from .http_unavailable import DatabaseUnavailableMiddleware
from .logging import configure_logging
from .messaging import backlog
from .messaging.relay import OutboxRelay
from .messaging.topology import EVENTS_EXCHANGE, QueueSpec, declare_topology
from .settings import ServiceSettings
from .supervisor import Supervisor

log = logging.getLogger(__name__)



def create_broker(service: str, settings: ServiceSettings) -> RabbitBroker:
    return RabbitBroker(
        settings.rabbitmq_url,
        # Publisher confirms on, and an unroutable `mandatory` message raises instead of vanishing.
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
        reconnect_interval=1.0,
        app_id=f"activateurs-{service}",
        logger=logging.getLogger(f"activateurs.{service}.broker"),
        log_level=logging.DEBUG,
    )


@dataclass
class Service:
    """Everything one service process runs. Built in the service's app.py, started by the lifespan."""

    name: str
    version: str
    description: str
    settings: ServiceSettings
    database: Database
    broker: RabbitBroker
    queues: tuple[QueueSpec, ...] = ()
    publishes: tuple[type[Event], ...] = ()
    routers: Sequence[APIRouter] = ()
    background: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)
    subscribers: list[Any] = field(default_factory=list)  # strong refs: the broker holds them weakly
    supervisor: Supervisor = field(default_factory=Supervisor)
    backlogs: tuple[backlog.Backlog, ...] = ()  # the service's own waiting work, measured beside the outbox

    def __post_init__(self) -> None:
        self.relay = OutboxRelay(self.database, self.broker, poll_interval=self.settings.outbox_poll_interval,
                                 keep_published_payloads=self.settings.outbox_keep_published_payloads)
        self.verifier = JwksVerifier(self.settings.jwks_url, issuer=self.settings.jwt_issuer,
                                     audience=self.settings.jwt_audience)
        # Declared publishers are what the AsyncAPI document shows; the relay does the publishing.
        for event_cls in self.publishes:
            self.broker.publisher(event_cls.routing_key, EVENTS_EXCHANGE, schema=event_cls,
                                  title=event_cls.routing_key, description=event_cls.__doc__ or None,
                                  persist=True)

    async def start(self) -> None:
        await self.broker.connect()
        await declare_topology(self.broker, self.queues)
        await self.broker.start()
        self.supervisor.start("outbox-relay", self.relay.run)
        self.supervisor.start("backlog-metrics", lambda: backlog.watch(
            self.database, (backlog.OUTBOX, *self.backlogs), self.settings.backlog_metrics_seconds))
        for name, loop in self.background.items():
            self.supervisor.start(name, loop)

    async def stop(self) -> None:
        await self.supervisor.stop()
        await self.broker.stop()
        await self.database.dispose()

    def asyncapi(self) -> dict[str, Any]:
        spec = AsyncAPI(self.broker, title=f"activateurs-{self.name}", version=self.version,
                        description=self.description, schema_version="3.0.0")
        return spec.to_specification().to_jsonable()

    def create_app(self) -> FastAPI:
        configure_logging(self.name, self.settings.log_level)
        # Off unless OTEL_ variables ask for it (tracing.py): then HTTP, database, publish and consume spans.
        tracing.configure(self.name)
        tracing.instrument_broker(self.broker)

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await self.start()
            # What exists now (modules, templates, compiled statements) lives as long as the
            # process: keep it out of the garbage collector's scans, which otherwise revisit it
            # on every collection of the hot path's short-lived objects.
            gc.freeze()
            log.info("%s started", self.name)
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(title=f"activateurs-{self.name}", version=self.version, description=self.description,
                      lifespan=lifespan)
        app.state.service = self
        app.state.verifier = self.verifier
        app.include_router(health_router(readiness_checks(self.database, self.broker, self.supervisor)))

        asyncapi_document: dict[str, Any] = {}

        @app.get("/asyncapi.json", tags=["operations"], summary="AsyncAPI document generated from the code")
        async def asyncapi() -> dict[str, Any]:
            if not asyncapi_document:
                asyncapi_document.update(self.asyncapi())
            return asyncapi_document

        for router in self.routers:
            app.include_router(router)
        _document_unparsable_bodies(app)
        _instrument(app)
        tracing.instrument_app(app)
        return app


UNPARSABLE_BODY = {
    "description": "The body could not be read (not UTF-8, or not the declared content type)",
    "content": {"application/json": {"schema": {
        "type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}}},
}


def _document_unparsable_bodies(app: FastAPI) -> None:
    """FastAPI answers 400 to a body it cannot decode, before any handler: say so for every operation with a body."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        operation.setdefault("responses", {}).setdefault("400", UNPARSABLE_BODY)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document


def _instrument(app: FastAPI) -> None:
    # Added first, so inside the metrics: the 503s it answers are counted as such.
    app.add_middleware(DatabaseUnavailableMiddleware)
    app.add_middleware(MetricsMiddleware)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)
