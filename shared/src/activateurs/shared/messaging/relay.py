"""The outbox relay: publishes committed outbox rows to RabbitMQ, persistent and confirmed, then marks them."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from prometheus_client import Counter

from .. import tracing
from ..db_unavailable import is_unavailable
from ..waiting import wait_event
from .tables import outbox
from .topology import EVENTS_EXCHANGE

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

    from ..db import Database

log = logging.getLogger(__name__)

PUBLISHED = Counter("outbox_published_total", "Outbox events published and confirmed by RabbitMQ", ["routing_key"])
PUBLISH_FAILURES = Counter("outbox_publish_failures_total", "Outbox publish attempts that failed (retried)")


class OutboxRelay:
    """Runs in every replica; rows are claimed with `FOR UPDATE SKIP LOCKED`, so replicas share the work.

    A row is marked published only after RabbitMQ confirmed it. A crash between the confirm and
    the commit publishes that row again: consumers dedupe by `message_id` = event id (inbox).
    """

    def __init__(
        self,
        database: Database,
        broker: RabbitBroker,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        publish_timeout: float = 10.0,
        retention: timedelta = timedelta(days=7),
        max_backoff: float = 5.0,
        keep_published_payloads: bool = False,
    ) -> None:
        self._db = database
        self._broker = broker
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._publish_timeout = publish_timeout
        self._retention = retention
        self._max_backoff = max_backoff
        # Published rows stay a few days (when, what, how many attempts) but not their payloads, which
        # carry personal data that an account deletion must not leave behind.
        self._erase_on_publish = {} if keep_published_payloads else {"payload": ""}

    async def run(self) -> None:
        backoff = 0.0
        purge_every, since_purge = 600.0, 0.0
        while True:
            # Cleared before reading, so a commit landing during the read still wakes the next wait.
            self._db.outbox_signal.clear()
            try:
                published, failed = await self.publish_pending()
            except Exception as error:
                if is_unavailable(error):  # a database restart: retried with backoff until it is back
                    log.warning("outbox relay pass: database unavailable (%s)", type(error).__name__)
                else:
                    log.exception("outbox relay pass failed")
                published, failed = 0, 1
            if failed:
                backoff = min(self._max_backoff, max(0.2, backoff * 2))
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            if published >= self._batch_size:
                continue
            waited = await self._wait_for_signal()
            since_purge += waited
            if since_purge >= purge_every:
                since_purge = 0.0
                await self.purge_published()

    async def _wait_for_signal(self) -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await wait_event(self._db.outbox_signal, self._poll_interval)
        return loop.time() - started

    async def publish_pending(self) -> tuple[int, int]:
        """One pass: publish up to a batch of pending rows. Returns (published, failed)."""
        async with self._db.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    sa.select(outbox.c.id, outbox.c.event_id, outbox.c.routing_key, outbox.c.payload,
                              outbox.c.correlation_id, outbox.c.trace_context)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0, 0
            results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
            done = [row.id for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
            failures = [(row, result) for row, result in zip(rows, results, strict=True)
                        if isinstance(result, BaseException)]
            now = self._db.clock.now()
            if done:
                await session.execute(sa.update(outbox).where(outbox.c.id.in_(done))
                                      .values(published_at=now, **self._erase_on_publish))
            for row, error in failures:
                await session.execute(
                    sa.update(outbox).where(outbox.c.id == row.id)
                    .values(attempts=outbox.c.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:500])
                )
        for row in rows:
            if row.id in done:
                PUBLISHED.labels(row.routing_key).inc()
        if failures:
            PUBLISH_FAILURES.inc(len(failures))
            log.warning("outbox: %d of %d events not published yet (%s)", len(failures), len(rows),
                        type(failures[0][1]).__name__)
        return len(done), len(failures)

    async def _publish(self, row: Any) -> None:
        # In the trace of the span that wrote the event (tracing on): FastStream's publish span is its child
        # and goes out in the `traceparent` header; a retry of this row, a redelivery or a dead-letter replay
        # stays in the same trace.
        with tracing.attached(row.trace_context):
            await self._publish_now(row)

    async def _publish_now(self, row: Any) -> None:
        async with asyncio.timeout(self._publish_timeout + 1):
            await self._broker.publish(
                row.payload.encode(),
                exchange=EVENTS_EXCHANGE,
                routing_key=row.routing_key,
                persist=True,
                mandatory=True,
                message_id=str(row.event_id),
                correlation_id=row.correlation_id,
                content_type="application/json",
                headers={"event_type": row.routing_key},
                timeout=self._publish_timeout,
            )

    async def purge_published(self) -> int:
        """Published rows (their payloads already erased) are kept a while for investigation, then deleted."""
        cutoff = self._db.clock.now() - self._retention
        async with self._db.sessions() as session, session.begin():
            result = await session.execute(sa.delete(outbox).where(outbox.c.published_at < cutoff))
        return result.rowcount or 0
