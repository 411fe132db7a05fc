"""The intake's hot path on the asyncpg connection itself: a routing read and two executemany, one transaction.

The statements are written once with SQLAlchemy (same tables, same `ONLINE` rule as everywhere else)
and compiled at import to the driver's SQL; each call only binds values. Going around the ORM
session saves most of the per-request CPU of the public intake (see bench/contact_relay_bench.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from activateurs.shared.contracts import Event
from activateurs.shared.db import Database
from activateurs.shared.messaging.tables import outbox

from .requests import ONLINE
from .tables import contact_requests, structures

_DIALECT = asyncpg_dialect()


class Compiled:
    """A statement compiled once to the driver's SQL, and the order its named parameters bind in."""

    def __init__(self, statement: sa.Executable) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        self.defaults = compiled.params  # values written in the statement itself (e.g. `status == "forwarded"`)

    def args(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] if name in values else self.defaults[name] for name in self.names)


ONLINE_BY_SLUGS = Compiled(
    sa.select(structures.c.structure_id, structures.c.account_id, structures.c.slug, structures.c.name, structures.c.department,
              structures.c.timezone, structures.c.contact_emails)
    .where(structures.c.slug == sa.any_(sa.bindparam("slugs", type_=ARRAY(sa.Text))), ONLINE))

REQUEST_COLUMNS = ("id", "structure_id", "company_name", "siret", "contact_name", "email", "phone", "postal_code",
                   "domains", "message", "status", "received_at", "reminder_at", "ack_deadline", "timezone")
INSERT_REQUEST = Compiled(sa.insert(contact_requests).values({c: sa.bindparam(c) for c in REQUEST_COLUMNS}))

_OUTBOX_COLUMNS = ("event_id", "routing_key", "payload", "correlation_id", "created_at")
INSERT_OUTBOX = Compiled(sa.insert(outbox).values({c: sa.bindparam(c) for c in _OUTBOX_COLUMNS}))
assert INSERT_OUTBOX.names == _OUTBOX_COLUMNS  # insert_events binds positionally, in this order

# The connection is gone (database restarted, network cut): the pool must not hand it out again.
_BROKEN = (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError)


@asynccontextmanager
async def transaction(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the service's pool inside one transaction: committed on a normal exit, else rolled back.

    Waiting too long for a free connection raises sqlalchemy's TimeoutError, as elsewhere.
    """
    async with db.engine.connect() as connection:
        driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
        try:
            async with driver.transaction():
                yield driver
        except _BROKEN:
            await connection.invalidate()
            raise


async def online_structures(conn: asyncpg.Connection, slugs: Iterable[str]) -> list[asyncpg.Record]:
    return await conn.fetch(ONLINE_BY_SLUGS.sql, sorted(set(slugs)))


async def insert_requests(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.executemany(INSERT_REQUEST.sql, [INSERT_REQUEST.args(row) for row in rows])


async def insert_events(conn: asyncpg.Connection, events: Sequence[Event], now: datetime) -> None:
    """The events as outbox rows of this transaction; the caller wakes the relay after the commit."""
    await conn.executemany(INSERT_OUTBOX.sql, [
        (event.event_id, event.routing_key, event.model_dump_json(), event.correlation_id, now) for event in events])
