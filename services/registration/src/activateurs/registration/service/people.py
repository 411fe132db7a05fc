"""Who belongs to a structure: its referent (the dossier's account) and its members, with what emails need."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..adapters.tables import accounts, dossiers, members


@dataclass(frozen=True)
class Person:
    dossier_id: uuid.UUID
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    is_referent: bool


_PERSON = (accounts.c.id, accounts.c.email, accounts.c.first_name, accounts.c.last_name)


async def people_of(session: AsyncSession, dossier_ids: Iterable[uuid.UUID]) -> list[Person]:
    """Referent first, then members by joining date, for each dossier."""
    ids = list(dossier_ids)
    if not ids:
        return []
    referents = await session.execute(sa.select(dossiers.c.id.label("dossier_id"), *_PERSON)
                                      .join(accounts, accounts.c.id == dossiers.c.account_id)
                                      .where(dossiers.c.id.in_(ids)))
    joined = await session.execute(sa.select(members.c.dossier_id, *_PERSON)
                                   .join(accounts, accounts.c.id == members.c.account_id)
                                   .where(members.c.dossier_id.in_(ids)).order_by(members.c.joined_at))
    return [*(_person(row, True) for row in referents), *(_person(row, False) for row in joined)]


def _person(row: Any, is_referent: bool) -> Person:
    return Person(row.dossier_id, row.id, row.email, row.first_name, row.last_name, is_referent)


async def membership(session: AsyncSession, account_id: uuid.UUID) -> Any:
    """The member's row with its structure's dossier (id, status, structure id, referent), or None."""
    return (await session.execute(
        sa.select(members.c.dossier_id, members.c.card, members.c.joined_at, dossiers.c.structure_id,
                  dossiers.c.status, dossiers.c.draft, dossiers.c.engagement_expires_at,
                  dossiers.c.account_id.label("referent_id"))
        .join(dossiers, dossiers.c.id == members.c.dossier_id).where(members.c.account_id == account_id))).first()
