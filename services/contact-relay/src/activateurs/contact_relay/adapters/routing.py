"""The routing table's statements: each aspect of a structure updated only by an event newer than the last one."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.messaging.tables import outbox

from .tables import deleted_accounts, structures

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
    updated = {**values, stamp: at}
    if "contact_emails" in values:
        # A late profile event never brings back the addresses of a structure whose account was deleted.
        updated["contact_emails"] = sa.case((structures.c.ended_for == "deleted", structures.c.contact_emails),
                                            else_=statement.excluded.contact_emails)
    statement = statement.on_conflict_do_update(
        index_elements=[structures.c.structure_id], set_=updated, where=condition)
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


async def forget_account(session: AsyncSession, account_id: UUID, at: datetime) -> None:
    """The account's structures end for good and lose their addresses, even if a newer end came first
    (a deletion is final: no later profile or acceptance brings them back); the published mails
    addressed to the account leave the outbox (kept there a few days for investigation)."""
    await session.execute(sa.update(structures).where(structures.c.account_id == account_id).values(
        contact_emails=[], ended_for="deleted", ended_at=sa.func.coalesce(structures.c.ended_at, at)))
    needle = str(account_id)
    await session.execute(
        sa.delete(outbox).where(
            outbox.c.routing_key == EmailRequested.routing_key, outbox.c.published_at.is_not(None),
            outbox.c.payload.contains(needle),  # a cheap text filter before the JSON is parsed
            sa.cast(outbox.c.payload, JSONB)["data"]["account_id"].astext == needle))


async def remember_deleted(session: AsyncSession, account_id: UUID, at: datetime) -> None:
    await session.execute(insert(deleted_accounts).values(account_id=account_id, deleted_at=at)
                          .on_conflict_do_nothing(index_elements=[deleted_accounts.c.account_id]))


async def deleted_at(session: AsyncSession, account_id: UUID) -> datetime | None:
    return (await session.execute(sa.select(deleted_accounts.c.deleted_at)
                                  .where(deleted_accounts.c.account_id == account_id))).scalar()


async def purge_deleted_accounts(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(sa.delete(deleted_accounts).where(deleted_accounts.c.deleted_at < before))
    return result.rowcount or 0
