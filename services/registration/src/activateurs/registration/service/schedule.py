"""Writing a structure's deadline rows: engagement reminders and lapse (rescheduled on renewal), charter deadline."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.tables import deadlines
from ..domain.engagement import CHARTER, LAPSE, REMINDER, engagement_deadlines


async def schedule_engagement(session: AsyncSession, dossier_id: uuid.UUID, expires_at: datetime,
                              now: datetime) -> None:
    """Replace the pending engagement deadlines (a row being fired right now is locked: this waits for it)."""
    await session.execute(sa.delete(deadlines).where(
        deadlines.c.dossier_id == dossier_id, deadlines.c.kind.in_([REMINDER, LAPSE]), deadlines.c.fired_at.is_(None)))
    await session.execute(sa.insert(deadlines), [
        {"dossier_id": dossier_id, "kind": kind, "due_at": due, "payload": payload, "created_at": now}
        for kind, due, payload in engagement_deadlines(expires_at, now)])


async def schedule_charter(session: AsyncSession, dossier_ids: list[uuid.UUID], version: int, due_at: datetime,
                           now: datetime) -> None:
    if dossier_ids:
        await session.execute(sa.insert(deadlines), [
            {"dossier_id": dossier_id, "kind": CHARTER, "due_at": due_at, "payload": {"version": version},
             "created_at": now} for dossier_id in dossier_ids])
