"""One more run of database work that met an unavailable database, only when none of it can have committed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from prometheus_client import Counter

from .db_unavailable import DatabaseUnavailable, is_unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRIES = Counter("database_unavailable_retries_total", "Work run once more after the database was unavailable")
REFUSED = Counter("database_unavailable_total", "Work given up on because the database was unavailable",
                  ["reason"])


class Attempt:
    """One run of some work, and why it must not run again if it did something that cannot be undone."""

    def __init__(self, parent: Attempt | None = None) -> None:
        self.parent = parent
        self.unrepeatable: str | None = None  # e.g. "a commit was sent"

    def mark_unrepeatable(self, reason: str) -> None:
        # The enclosing runs contain this one: what cannot be repeated here cannot be repeated there.
        attempt: Attempt | None = self
        while attempt is not None:
            attempt.unrepeatable = attempt.unrepeatable or reason
            attempt = attempt.parent


_current: ContextVar[Attempt | None] = ContextVar("database_attempt", default=None)


def current() -> Attempt | None:
    return _current.get()


def note_commit() -> None:
    """Call just BEFORE sending anything that may commit (COMMIT, a statement in autocommit).

    Before, not after: a connection lost during the commit leaves it unknown whether it happened,
    and unknown must count as committed.
    """
    attempt = _current.get()
    if attempt is not None:
        attempt.mark_unrepeatable("a commit was sent")


@contextmanager
def attempt(*, detached: bool = False) -> Iterator[Attempt]:
    """A run whose commits are noted (tasks it starts share it: they copy the context, not the object).

    `detached`: not part of the enclosing run (work done for several callers, which the caller then
    tells each of them about, as group commit does).
    """
    run = Attempt(None if detached else _current.get())
    token = _current.set(run)
    try:
        yield run
    finally:
        _current.reset(token)


async def retry_once(work: Callable[[], Awaitable[T]], *, pause: float = 0.2, what: str = "work") -> T:
    """`await work()`, and once more on a fresh connection if the database was unavailable and nothing
    of the first run may have committed; otherwise DatabaseUnavailable.

    Why a second run is safe: every commit (SQLAlchemy's, raw asyncpg's, an autocommit statement) notes
    itself before it is sent, so an un-noted run left nothing in the database: its transactions rolled
    back with the connection. The pool has discarded the dead connection, so the second run gets a new one.
    """
    for last in (False, True):
        with attempt() as run:
            try:
                return await work()
            except Exception as error:
                if not is_unavailable(error):
                    raise
                if run.unrepeatable:
                    REFUSED.labels(run.unrepeatable).inc()
                    raise DatabaseUnavailable(f"{what}: database unavailable and {run.unrepeatable}") from error
                if last:
                    REFUSED.labels("still unavailable").inc()
                    raise DatabaseUnavailable(f"{what}: database still unavailable") from error
                log.warning("%s: database unavailable (%s); running it once more", what, type(error).__name__)
        RETRIES.inc()
        await asyncio.sleep(pause)
    raise AssertionError("unreachable")
