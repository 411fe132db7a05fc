"""Failed sign-ins counted per key in the database (shared by every replica), within a fixed window."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import login_failures as t


async def retry_after(session: AsyncSession, limits: dict[str, int], now: datetime, window: timedelta) -> int | None:
    """Seconds to wait if any key has used up its failures in the current window, else None."""
    rows = (await session.execute(sa.select(t.c.key, t.c.failures, t.c.window_started_at)
                                  .where(t.c.key.in_(list(limits))))).all()
    waits = [math.ceil((row.window_started_at + window - now).total_seconds()) for row in rows
             if row.failures >= limits[row.key] and row.window_started_at + window > now]
    return max(waits) if waits else None


async def record_failure(session: AsyncSession, keys: list[str], now: datetime, window: timedelta) -> None:
    expired = t.c.window_started_at <= now - window
    statement = insert(t).values([{"key": key, "failures": 1, "window_started_at": now} for key in keys])
    await session.execute(statement.on_conflict_do_update(index_elements=[t.c.key], set_={
        "failures": sa.case((expired, 1), else_=t.c.failures + 1),
        "window_started_at": sa.case((expired, now), else_=t.c.window_started_at),
    }))


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(sa.delete(t).where(t.c.key == key))
