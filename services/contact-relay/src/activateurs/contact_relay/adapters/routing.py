"""The routing table's statements: each aspect of a structure updated only by an event newer than the last one."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import structures

# Ends that no later acceptance undoes: the DGE struck the structure off, or its account is gone.
FINAL_ENDS = ("struck_off", "deleted")


async def apply_if_newer(session: AsyncSession, structure_id: UUID, values: dict[str, Any], *,
                         stamp: str, at: datetime, extra_where: Any = None) -> None:
    """Upsert `values` and `stamp` = `at` unless the row already holds a newer (or equal) `stamp`."""
    column = structures.c[stamp]
    condition = sa.or_(column.is_(None), column < at)
    if extra_where is not None:
        condition = sa.and_(condition, extra_where)
    statement = insert(structures).values(structure_id=structure_id, **values, **{stamp: at})
    statement = statement.on_conflict_do_update(
        index_elements=[structures.c.structure_id], set_={**values, stamp: at}, where=condition)
    await session.execute(statement)


async def release_slug(session: AsyncSession, slug: str, structure_id: UUID) -> None:
    """A slug belongs to one structure: a stale holder (renamed, republished elsewhere) lets go of it."""
    await session.execute(sa.update(structures).where(structures.c.slug == slug,
                                                      structures.c.structure_id != structure_id).values(slug=None))


async def end(session: AsyncSession, structure_id: UUID, reason: str, at: datetime) -> None:
    values: dict[str, Any] = {"ended_for": reason}
    if reason == "deleted":
        values["contact_emails"] = []  # the people behind those addresses asked to be forgotten
    await apply_if_newer(session, structure_id, values, stamp="ended_at", at=at,
                         extra_where=sa.or_(structures.c.ended_for.is_(None),
                                            structures.c.ended_for.notin_(FINAL_ENDS), sa.literal(reason == "deleted")))


async def structures_of_account(session: AsyncSession, account_id: UUID) -> list[UUID]:
    rows = await session.execute(sa.select(structures.c.structure_id).where(structures.c.account_id == account_id))
    return [row.structure_id for row in rows]
