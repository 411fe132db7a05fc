"""The inbox: remembers which events a consumer has applied, in the same transaction as their effects (on the
asyncpg connection of a hot path: `raw_sql.first_deliveries`, the same rule in one statement)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..contracts import Event
from .tables import inbox

# Built once: the statement is compiled and cached, each call only binds its values.
_RECORD = insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)


async def first_delivery(session: AsyncSession, consumer: str, event: Event, now: datetime) -> bool:
    """Record `event` as processed by `consumer`; False when it already was (a duplicate to skip).

    A concurrent transaction inserting the same key makes this wait for it, so two deliveries of
    one event racing on two replicas still have one effect.
    """
    result = await session.execute(
        _RECORD, {"consumer": consumer, "event_id": event.event_id, "event_type": event.event_type,
                  "processed_at": now})
    return result.first() is not None


E = TypeVar("E", bound=Event)


async def first_deliveries(session: AsyncSession, consumer: str, events: Sequence[E], now: datetime) -> dict[UUID, E]:
    """`first_delivery` for a batch, in one statement: the events seen for the first time, by id.

    An event present twice in the batch counts once (its first occurrence).
    """
    unique: dict[UUID, E] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    if not unique:
        return {}
    result = await session.execute(_RECORD, [
        {"consumer": consumer, "event_id": event.event_id, "event_type": event.event_type, "processed_at": now}
        for event in unique.values()
    ])
    return {row.event_id: unique[row.event_id] for row in result}
