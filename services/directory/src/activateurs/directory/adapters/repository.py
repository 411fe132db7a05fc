"""Reads and writes of the structures table for the publication use cases (SQLAlchemy Core)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import acceptances_seen, search_generation, structures

# One round trip for a whole batch: creates the rows met for the first time, locks them all (ON
# CONFLICT DO UPDATE takes the row lock; ids in order, so two batches never deadlock), returns them.
_WRITABLE = [c for c in structures.c if c.name not in ("structure_id", "feed_seq")]
_SAVE = (sa.update(structures).where(structures.c.structure_id == sa.bindparam("b_structure_id"))
         .values({c: sa.bindparam(f"b_{c.name}", type_=c.type) for c in _WRITABLE})
         .values(feed_seq=sa.case((sa.bindparam("b_bump", type_=sa.Boolean), sa.func.nextval("directory_feed_seq")),
                                  else_=structures.c.feed_seq)))
# Arrays rather than one parameter per value: the statements keep one shape whatever the batch size,
# so they are compiled once (SQLAlchemy's cache) and prepared once (asyncpg's).
_SLUGS = sa.select(structures.c.slug).where(
    structures.c.slug == sa.func.any(sa.bindparam("slugs", type_=ARRAY(sa.Text))))
_LOCK = insert(structures).from_select(
    ["structure_id"], sa.select(sa.func.unnest(sa.bindparam("ids", type_=ARRAY(PG_UUID(as_uuid=True))))))
_LOCK = _LOCK.on_conflict_do_update(
    index_elements=["structure_id"], set_={"structure_id": _LOCK.excluded.structure_id}).returning(*structures.c)


async def lock_structures(session: AsyncSession, structure_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    return {row["structure_id"]: dict(row) for row in (await session.execute(_LOCK, {"ids": structure_ids})).mappings()}


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


_SEEN_ROWS = sa.select(
    sa.func.unnest(sa.bindparam("seen_ids", type_=ARRAY(PG_UUID(as_uuid=True)))).label("structure_id"),
    sa.func.unnest(sa.bindparam("seen_at", type_=ARRAY(sa.DateTime(timezone=True)))).label("accepted_at"))
_SEEN = insert(acceptances_seen).from_select(["structure_id", "accepted_at"], _SEEN_ROWS)
# A later acceptance re-arms the guard (reported again if that one is not published either).
_SEEN = _SEEN.on_conflict_do_update(
    index_elements=["structure_id"],
    set_={"accepted_at": sa.func.greatest(acceptances_seen.c.accepted_at, _SEEN.excluded.accepted_at),
          "reported_at": sa.case((_SEEN.excluded.accepted_at > acceptances_seen.c.accepted_at, None),
                                 else_=acceptances_seen.c.reported_at)})
# The search generation moves in the same statement (one round trip) when `bump`: what searches find
# changed, cached totals and pages are stale. The row stays locked until commit, so generations are
# committed in order; this statement comes last before the outbox and the commit, to hold it briefly.
_GENERATION = sa.update(search_generation).values(n=search_generation.c.n + 1).where(
    sa.bindparam("bump", type_=sa.Boolean)).cte("next_generation")
_RECORD = _SEEN.add_cte(_GENERATION)


async def record_batch(session: AsyncSession, acceptances: dict[UUID, Any], *, bump_generation: bool) -> None:
    """Remember acceptances seen (structure → occurred at), for the 24 h guard; move the search generation."""
    ids = sorted(acceptances)
    await session.execute(_RECORD, {"seen_ids": ids, "seen_at": [acceptances[sid] for sid in ids],
                                    "bump": bump_generation})


async def next_search_generation(session: AsyncSession) -> None:
    """What searches find changed, outside publication (e.g. seeding)."""
    await record_batch(session, {}, bump_generation=True)


async def publication(session: AsyncSession, structure_id: UUID) -> dict[str, Any] | None:
    """Where a structure stands in the directory: its slug, name, region and whether its profile is online."""
    row = (await session.execute(sa.select(structures.c.structure_id, structures.c.slug, structures.c.name,
                                           structures.c.region, structures.c.online)
                                 .where(structures.c.structure_id == structure_id))).first()
    return dict(row._mapping) if row else None
