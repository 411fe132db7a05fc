"""Reads of the statistics tables summed over structures: the network's (or one region's) counters, contact
requests and profiles online (SQLAlchemy Core, one session given)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import contact_requests, daily_counters, structures


def _in_region(region: str | None) -> list[sa.ColumnElement[bool]]:
    # A structure's region is its last profile's.
    return [structures.c.region == region] if region is not None else []


async def published_by_region(session: AsyncSession, region: str | None) -> list[dict[str, Any]]:
    """Profiles online now, per region (by code)."""
    rows = await session.execute(
        sa.select(structures.c.region, sa.func.count().label("published"))
        .where(structures.c.online, *_in_region(region))
        .group_by(structures.c.region).order_by(structures.c.region.nulls_last()))
    return [dict(row._mapping) for row in rows]


async def daily_sums(session: AsyncSession, start: date, end: date, region: str | None) -> dict[date, tuple[int, int]]:
    """Views and search appearances of every structure (of `region`), per day of [start, end]."""
    query = (sa.select(daily_counters.c.day, sa.func.sum(daily_counters.c.views).label("views"),
                       sa.func.sum(daily_counters.c.appearances).label("appearances"))
             .where(daily_counters.c.day.between(start, end)).group_by(daily_counters.c.day))
    if region is not None:
        query = query.join_from(daily_counters, structures,
                                structures.c.structure_id == daily_counters.c.structure_id).where(*_in_region(region))
    return {row.day: (int(row.views), int(row.appearances)) for row in await session.execute(query)}


async def contacts_received(session: AsyncSession, low: datetime, high: datetime, region: str | None) -> list[Any]:
    """The instants of every contact request received in [low, high) by a structure (of `region`)."""
    query = (sa.select(contact_requests.c.received_at, contact_requests.c.ack_deadline,
                       contact_requests.c.acknowledged_at, contact_requests.c.overdue_at,
                       contact_requests.c.redirected_at)
             .where(contact_requests.c.received_at >= low, contact_requests.c.received_at < high))
    if region is not None:
        query = query.join_from(contact_requests, structures,
                                structures.c.structure_id == contact_requests.c.structure_id).where(*_in_region(region))
    return list((await session.execute(query)).all())
