"""Async SQLAlchemy engine, sessions and the unit of work (state change + outbox events in one transaction)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

import asyncpg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from . import db_retry, tracing
from .clock import Clock, SystemClock
from .contracts import Event
from .messaging.tables import outbox

_INSERT_EVENT = sa.insert(outbox)


def async_url(url: str) -> str:
    """Accept `postgresql://` or `postgres://` URLs and use the asyncpg driver."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername in ("postgresql", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


class Database:
    """One service's database: engine, session factory, and the signal that wakes the outbox relay."""

    def __init__(self, url: str, *, clock: Clock | None = None, pool_size: int = 10) -> None:
        self.url = async_url(url)
        self.clock = clock or SystemClock()
        # No pre-ping (a round trip per transaction): `_refuse_closed` replaces at checkout, for free,
        # the connections a restart closed. One that dies while in use fails its statement; SQLAlchemy
        # then invalidates it (and the pool's older ones), and db_retry may run the work again.
        self.engine: AsyncEngine = create_async_engine(
            self.url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800
        )
        event.listen(self.engine.sync_engine, "checkout", _refuse_closed)
        # Every COMMIT SQLAlchemy sends (units of work, sessions, engine.begin()), noted before it goes.
        event.listen(self.engine.sync_engine, "commit", _note_commit)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_signal = asyncio.Event()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)

    async def ping(self, timeout: float = 2.0) -> bool:
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
            return True
        except (OSError, TimeoutError, sa.exc.SQLAlchemyError, asyncpg.PostgresError):
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def _refuse_closed(dbapi_connection: object, record: object, proxy: object) -> None:
    """Pool checkout: a connection the server closed (restart, fast shutdown) is replaced, not handed out.

    asyncpg marks a connection closed as soon as the server's goodbye arrives, so this costs no round
    trip; SQLAlchemy's documented answer to DisconnectionError here is to connect afresh and check again.
    """
    driver: asyncpg.Connection = record.driver_connection  # type: ignore[attr-defined]
    if driver is not None and driver.is_closed():
        raise sa.exc.DisconnectionError("connection closed by the server")


def _note_commit(conn: object) -> None:
    db_retry.note_commit()


class UnitOfWork:
    """`async with db.uow() as uow:` … `await uow.commit()`; leaving without commit rolls back.

    Events added with `add_event` are outbox rows of the same transaction: they exist if and
    only if the state change does.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self.session: AsyncSession = database.sessions()
        self._events_added = False

    async def __aenter__(self) -> Self:
        await self.session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    async def add_event(self, event: Event) -> None:
        await self.add_events([event])

    async def add_events(self, events: list[Event]) -> None:
        """Write events to the outbox in this transaction.

        A list of parameters rather than `.values([...])`: SQLAlchemy compiles the statement once and
        caches it ("insertmanyvalues" batches the rows), instead of compiling a new one for each count.
        """
        if not events:
            return
        now = self._database.clock.now()
        with tracing.outbox_write(events) as contexts:
            await self.session.execute(_INSERT_EVENT, [
                {"event_id": event.event_id, "routing_key": event.routing_key, "payload": event.model_dump_json(),
                 "correlation_id": event.correlation_id, "created_at": now,
                 "trace_context": contexts[i] if contexts else None}
                for i, event in enumerate(events)
            ])
        self._events_added = True

    async def commit(self) -> None:
        await self.session.commit()
        if self._events_added:
            self._database.outbox_signal.set()


@asynccontextmanager
async def _server_connection(url: str) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A connection to the server's `postgres` database, and the database name `url` names."""
    parsed = make_url(async_url(url))
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database="postgres",
    )
    try:
        yield conn, str(parsed.database)
    finally:
        await conn.close()


async def ensure_database_exists(url: str) -> bool:
    """Create the database named in `url` if it is missing (local runs, tests). True if created."""
    async with _server_connection(url) as (conn, name):
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:  # another process won the race
            return False
        return True


async def drop_database(url: str) -> None:
    async with _server_connection(url) as (conn, name):
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
