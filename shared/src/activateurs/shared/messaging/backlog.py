"""Backlog gauges for alerting: how much work waits and since when (outbox events, the notifier's mails).

Nothing is lost while work waits, but it must not wait unseen: a broker down for an hour leaves the
outbox growing, and only its oldest row's age tells how late the platform is. Read every few seconds by
each replica (the figures are the database's, the same in every replica: alert on the max).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from prometheus_client import Gauge

from ..db import Database
from .tables import outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backlog:
    """A count and the oldest creation time of the rows `where` selects in `table`."""

    waiting: Gauge
    oldest_seconds: Gauge
    statement: sa.Select

    @classmethod
    def of(cls, name: str, what: str, table: sa.Table, where: sa.ColumnElement[bool],
           created_at: sa.ColumnElement) -> Backlog:
        return cls(Gauge(f"{name}_waiting", f"{what} waiting"),
                   Gauge(f"{name}_oldest_waiting_seconds", f"Age of the oldest of the {what.lower()} waiting (0: none)"),
                   sa.select(sa.func.count(), sa.func.min(created_at)).select_from(table).where(where))

    async def measure(self, db: Database) -> None:
        async with db.sessions() as session:
            count, oldest = (await session.execute(self.statement)).one()
        self.waiting.set(count)
        self.oldest_seconds.set(max(0.0, (db.clock.now() - oldest).total_seconds()) if oldest else 0.0)


OUTBOX = Backlog.of("outbox", "Events not yet published to RabbitMQ", outbox, outbox.c.published_at.is_(None),
                    outbox.c.created_at)


async def watch(db: Database, backlogs: tuple[Backlog, ...], interval: float = 15.0) -> None:
    """Measure each backlog every `interval` seconds; a failed measure keeps the last figures and is retried."""
    while True:
        for backlog in backlogs:
            try:
                await backlog.measure(db)
            except Exception as error:  # the database away: the relay and readiness say so; keep watching
                log.warning("backlog not measured (%s)", type(error).__name__)
        await asyncio.sleep(interval)
