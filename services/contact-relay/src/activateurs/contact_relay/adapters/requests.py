"""Statements on contact requests and on the online structures they go to (built once, bound per call)."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import contact_requests, structures

# A structure receives requests only while published, not suspended, not gone, and known by its profile.
ONLINE = sa.and_(structures.c.published, sa.not_(structures.c.suspended), structures.c.ended_at.is_(None),
                 structures.c.profile_at.is_not(None))

_ONLINE_BY_SLUG = sa.select(structures).where(structures.c.slug == sa.bindparam("slug"), ONLINE)
_INSERT_REQUEST = sa.insert(contact_requests)


async def online_structure_by_slug(session: AsyncSession, slug: str) -> sa.Row | None:
    return (await session.execute(_ONLINE_BY_SLUG, {"slug": slug})).first()


async def insert_requests(session: AsyncSession, rows: list[dict]) -> None:
    await session.execute(_INSERT_REQUEST, rows)


async def structure(session: AsyncSession, structure_id: UUID) -> sa.Row | None:
    return (await session.execute(sa.select(structures).where(structures.c.structure_id == structure_id))).first()


async def lock_request(session: AsyncSession, request_id: UUID) -> sa.Row | None:
    statement = sa.select(contact_requests).where(contact_requests.c.id == request_id).with_for_update()
    return (await session.execute(statement)).first()


async def request_with_structure(session: AsyncSession, request_id: UUID) -> sa.Row | None:
    """The request and the name of the structure holding it (a read: no lock)."""
    statement = (sa.select(contact_requests, structures.c.name.label("structure_name"))
                 .outerjoin(structures, structures.c.structure_id == contact_requests.c.structure_id)
                 .where(contact_requests.c.id == request_id))
    return (await session.execute(statement)).first()


def _of_structure(structure_id: UUID, status: str | None) -> list[sa.ColumnElement[bool]]:
    where = [contact_requests.c.structure_id == structure_id]
    if status:
        where.append(contact_requests.c.status == status)
    return where


async def count_of_structure(session: AsyncSession, structure_id: UUID, status: str | None) -> int:
    statement = sa.select(sa.func.count()).select_from(contact_requests).where(*_of_structure(structure_id, status))
    return (await session.execute(statement)).scalar_one()


async def page_of_structure(session: AsyncSession, structure_id: UUID, status: str | None, limit: int,
                            offset: int) -> list[sa.Row]:
    """A structure's requests, newest first (ties by id, so pages are stable)."""
    statement = (sa.select(contact_requests).where(*_of_structure(structure_id, status))
                 .order_by(contact_requests.c.received_at.desc(), contact_requests.c.id).limit(limit).offset(offset))
    return list((await session.execute(statement)).all())


async def request_of_structure(session: AsyncSession, structure_id: UUID, request_id: UUID) -> sa.Row | None:
    statement = sa.select(contact_requests).where(contact_requests.c.id == request_id,
                                                  contact_requests.c.structure_id == structure_id)
    return (await session.execute(statement)).first()
