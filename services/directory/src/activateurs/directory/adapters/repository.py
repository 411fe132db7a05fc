"""Reads and writes of the structures table for the publication use cases (SQLAlchemy Core)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import structures

# One round trip for a whole batch: creates the rows met for the first time, locks them all (ON
# CONFLICT DO UPDATE takes the row lock; ids in order, so two batches never deadlock), returns them.
_WRITABLE = [c for c in structures.c if c.name not in ("structure_id", "feed_seq")]
_SAVE = (sa.update(structures).where(structures.c.structure_id == sa.bindparam("b_structure_id"))
         .values({c: sa.bindparam(f"b_{c.name}", type_=c.type) for c in _WRITABLE})
         .values(feed_seq=sa.case((sa.bindparam("b_bump", type_=sa.Boolean), sa.func.nextval("directory_feed_seq")),
                                  else_=structures.c.feed_seq)))
_SLUGS = sa.select(structures.c.slug).where(structures.c.slug.in_(sa.bindparam("slugs", expanding=True)))


async def lock_structures(session: AsyncSession, structure_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    statement = insert(structures).values([{"structure_id": sid} for sid in structure_ids])
    statement = statement.on_conflict_do_update(
        index_elements=["structure_id"], set_={"structure_id": statement.excluded.structure_id}
    ).returning(*structures.c)
    return {row["structure_id"]: dict(row) for row in (await session.execute(statement)).mappings()}


async def slugs_taken(session: AsyncSession, slugs: list[str]) -> set[str]:
    if not slugs:
        return set()
    return set((await session.execute(_SLUGS, {"slugs": slugs})).scalars())


async def save_all(session: AsyncSession, rows: list[dict[str, Any]], bumped: set[UUID]) -> None:
    """Write the rows back in one pipelined statement; `bumped` ones take the next feed sequence numbers."""
    await session.execute(_SAVE, [
        {"b_structure_id": row["structure_id"], "b_bump": row["structure_id"] in bumped,
         **{f"b_{c.name}": row[c.name] for c in _WRITABLE}}
        for row in rows])


async def structures_of_account(session: AsyncSession, account_id: UUID) -> tuple[list[UUID], list[UUID]]:
    """(structures whose referent it is, structures where it has a member card)."""
    referent = (await session.execute(
        sa.select(structures.c.structure_id).where(structures.c.account_id == account_id))).scalars().all()
    member = (await session.execute(
        sa.select(structures.c.structure_id).where(
            structures.c.profile["members"].op("@>")(sa.func.jsonb_build_array(
                sa.func.jsonb_build_object("account_id", str(account_id))))))).scalars().all()
    return list(referent), list(member)
