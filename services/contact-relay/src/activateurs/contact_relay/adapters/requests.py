"""Statements on contact requests and on the online structures they go to (built once, bound per call)."""

from __future__ import annotations

from datetime import datetime
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


async def alternatives(session: AsyncSession, *, department: str | None, exclude: UUID, domains: list[str],
                       limit: int = 3) -> list[sa.Row]:
    """Other online structures of the department offering one of the requested domains."""
    if not department:
        return []
    statement = (sa.select(structures.c.name, structures.c.city, structures.c.slug, structures.c.profile_url)
                 .where(ONLINE, structures.c.department == department, structures.c.structure_id != exclude,
                        structures.c.domains.overlap(sa.cast(domains, structures.c.domains.type)))
                 .order_by(structures.c.name, structures.c.structure_id).limit(limit))
    return list((await session.execute(statement)).all())


def due_reminders(now: datetime, batch: int) -> sa.Select:
    return (sa.select(contact_requests, structures.c.name.label("structure_name"),
                      structures.c.contact_emails)
            .join(structures, structures.c.structure_id == contact_requests.c.structure_id)
            .where(contact_requests.c.status == "forwarded", contact_requests.c.reminder_sent_at.is_(None),
                   contact_requests.c.reminder_at <= now, contact_requests.c.ack_deadline > now)
            .order_by(contact_requests.c.reminder_at).limit(batch)
            .with_for_update(of=contact_requests, skip_locked=True))


def due_deadlines(now: datetime, batch: int) -> sa.Select:
    return (sa.select(contact_requests, structures.c.name.label("structure_name"), structures.c.contact_emails,
                      structures.c.department.label("structure_department"))
            .join(structures, structures.c.structure_id == contact_requests.c.structure_id)
            .where(contact_requests.c.status == "forwarded", contact_requests.c.ack_deadline <= now)
            .order_by(contact_requests.c.ack_deadline).limit(batch)
            .with_for_update(of=contact_requests, skip_locked=True))
