"""Liveness, readiness (database, broker, attached consumers, background loops), Prometheus metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

    from .db import Database
    from .supervisor import Supervisor

Check = Callable[[], Awaitable[bool]]


def consumers_attached(broker: RabbitBroker) -> bool:
    """Every subscriber is running with a live consumer on an open channel."""
    subscribers = broker.subscribers
    for subscriber in subscribers:
        # FastStream keeps the consumer tag and queue object privately; they are the only
        # honest signal that this process (not some other replica) is attached to its queue.
        queue = getattr(subscriber, "_queue_obj", None)
        if not subscriber.running or getattr(subscriber, "_consumer_tag", None) is None or queue is None:
            return False
        if queue.channel.is_closed:
            return False
    return True


def readiness_checks(database: Database, broker: RabbitBroker, supervisor: Supervisor) -> dict[str, Check]:
    async def db() -> bool:
        return await database.ping()

    async def amqp() -> bool:
        return await broker.ping(timeout=1.0)

    async def consumers() -> bool:
        return consumers_attached(broker)

    async def loops() -> bool:
        return all(supervisor.running().values())

    return {"database": db, "broker": amqp, "consumers": consumers, "background": loops}


def health_router(checks: dict[str, Check]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live", summary="The process answers")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Database, broker, consumers and background loops are up",
                responses={503: {"description": "a dependency is down"}})
    async def ready() -> Any:
        results = {name: await check() for name, check in checks.items()}
        body = {"status": "ok" if all(results.values()) else "unavailable",
                "checks": {name: "ok" if ok else "failing" for name, ok in results.items()}}
        return JSONResponse(body, status_code=200 if all(results.values()) else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
