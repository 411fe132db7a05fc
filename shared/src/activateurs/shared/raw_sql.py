"""Hot paths on the asyncpg connection itself: statements written with SQLAlchemy, compiled once at import.

Each call then only binds values: going around the ORM session saves most of the per-request SQL CPU
(see the contact-relay intake and the notifier). The service's pool, timeouts and health stay the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from . import db_retry, tracing
from .contracts import Event
from .db import Database
from .messaging.tables import inbox, outbox

_DIALECT = asyncpg_dialect()

# The connection is gone (database restarted, network cut): the pool must not hand it out again.
_BROKEN = (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError, asyncpg.AdminShutdownError,
           asyncpg.CrashShutdownError, asyncpg.InternalClientError)


class Compiled:
    """A statement compiled once to the driver's SQL, and the order its named parameters bind in."""

    def __init__(self, statement: sa.Executable) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        self.defaults = compiled.params  # values written in the statement itself (e.g. `status == "forwarded"`)

    def args(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] if name in values else self.defaults[name] for name in self.names)


@asynccontextmanager
async def _pooled(db: Database) -> AsyncIterator[asyncpg.Connection]:
    async with db.engine.connect() as pooled:
        driver: asyncpg.Connection = (await pooled.get_raw_connection()).driver_connection
        try:
            yield driver
        except _BROKEN:
            await pooled.invalidate()
            raise


@asynccontextmanager
async def connection(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the service's pool, each statement committing on its own (no BEGIN/COMMIT round trips).

    Waiting too long for a free connection raises sqlalchemy's TimeoutError, as elsewhere; a connection that
    broke is dropped from the pool, not handed out again (one the server closed is replaced at checkout).
    """
    async with _pooled(db) as driver:
        # Any statement here may commit, and a lost connection leaves unknown whether it did: noted
        # before the first one, so db_retry never runs this work again.
        db_retry.note_commit()
        yield driver


@asynccontextmanager
async def transaction(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the service's pool inside one transaction: committed on a normal exit, else rolled back."""
    async with _pooled(db) as driver, driver.transaction():
        yield driver
        # Reached only when the body ended normally, just before asyncpg sends COMMIT. A failure
        # earlier rolled everything back: db_retry may run the whole transaction again.
        db_retry.note_commit()


_OUTBOX_COLUMNS = ("event_id", "routing_key", "payload", "correlation_id", "created_at", "trace_context")
INSERT_OUTBOX = Compiled(sa.insert(outbox).values({c: sa.bindparam(c) for c in _OUTBOX_COLUMNS}))
assert INSERT_OUTBOX.names == _OUTBOX_COLUMNS  # insert_events binds positionally, in this order


async def insert_events(conn: asyncpg.Connection, events: Sequence[Event], now: datetime,
                        origins: Sequence[str | None] | None = None) -> None:
    """The events as outbox rows of this transaction; the caller wakes the relay after the commit.

    `origins`: the trace of each event (tracing.outbox_write), when a batch mixes several; else the current one."""
    if events:
        with tracing.outbox_write(events, origins) as contexts:
            await conn.executemany(INSERT_OUTBOX.sql, [
                (event.event_id, event.routing_key, event.model_dump_json(), event.correlation_id, now,
                 contexts[i] if contexts else None)
                for i, event in enumerate(events)])


# The inbox (messaging/inbox.py's rule) for a batch in one statement: RETURNING names the events seen for the first
# time; a concurrent transaction recording the same one makes this wait for it.
_INBOX_IDS = sa.func.unnest(sa.bindparam("event_ids", type_=ARRAY(sa.Uuid)),
                            sa.bindparam("event_types", type_=ARRAY(sa.Text))).table_valued(
    "event_id", "event_type").render_derived()
RECORD_INBOX = Compiled(
    insert(inbox).from_select(
        ["consumer", "event_id", "event_type", "processed_at"],
        sa.select(sa.bindparam("consumer", type_=sa.Text), _INBOX_IDS.c.event_id, _INBOX_IDS.c.event_type,
                  sa.bindparam("now", type_=sa.DateTime(timezone=True))))
    .on_conflict_do_nothing().returning(inbox.c.event_id))


async def first_deliveries(conn: asyncpg.Connection, consumer: str, events: Sequence[Event],
                           now: datetime) -> set[UUID]:
    """The ids of the events `consumer` sees for the first time, recorded in the connection's transaction."""
    unique = {event.event_id: event.event_type for event in events}
    if not unique:
        return set()
    rows = await conn.fetch(RECORD_INBOX.sql, *RECORD_INBOX.args(
        {"consumer": consumer, "event_ids": list(unique), "event_types": list(unique.values()), "now": now}))
    return {row[0] for row in rows}
