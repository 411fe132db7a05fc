"""Statistics use cases: record contact-relay's events, read a structure's figures and the whole network's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.contracts import Event
from activateurs.shared.db import Database
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters import statistics as network
from ..adapters.tables import contact_requests, daily_counters, structures
from ..domain.statistics import Contact, summarise


async def record_contact_step(db: Database, consumer: str, event: Event, request_id: UUID, structure_id: UUID,
                              **columns: datetime | None) -> None:
    """Fill this event's columns of the request's row (created by whichever event comes first), once."""
    async with db.uow() as uow:
        if not await first_delivery(uow.session, consumer, event, db.clock.now()):
            return
        values = {key: value for key, value in columns.items() if value is not None}
        statement = insert(contact_requests).values(request_id=request_id, structure_id=structure_id, **values)
        # An earlier value wins for instants (a redelivered or late event does not move them).
        statement = statement.on_conflict_do_update(
            index_elements=["request_id"],
            set_={key: sa.func.coalesce(getattr(contact_requests.c, key), getattr(statement.excluded, key))
                  for key in values} or {"structure_id": statement.excluded.structure_id})
        await uow.session.execute(statement)
        await uow.commit()


async def structure_statistics(db: Database, structure_id: UUID, start: date, end: date) -> dict[str, object]:
    async with db.sessions() as session:
        counters = {row.day: (row.views, row.appearances) for row in await session.execute(
            sa.select(daily_counters.c.day, daily_counters.c.views, daily_counters.c.appearances).where(
                daily_counters.c.structure_id == structure_id, daily_counters.c.day.between(start, end)))}
        low = datetime.combine(start, datetime.min.time(), tzinfo=db.clock.now().tzinfo)
        high = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=db.clock.now().tzinfo)
        rows = await session.execute(sa.select(contact_requests).where(
            contact_requests.c.structure_id == structure_id, contact_requests.c.received_at >= low,
            contact_requests.c.received_at < high))
        contacts = [Contact(r.received_at, r.ack_deadline, r.acknowledged_at, r.overdue_at, r.redirected_at)
                    for r in rows]
    return summarise(start, end, counters, contacts, db.clock.now())


async def network_statistics(db: Database, start: date, end: date, region: str | None) -> dict[str, object]:
    """The figures of every structure (or of one region's) added up: the same counters and contact rows as a
    structure's own statistics, so the network's totals are the sum of the structures'. Plus the profiles online
    now, per region."""
    low = datetime.combine(start, datetime.min.time(), tzinfo=db.clock.now().tzinfo)
    high = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=db.clock.now().tzinfo)
    async with db.sessions() as session:
        published = await network.published_by_region(session, region)
        counters = await network.daily_sums(session, start, end, region)
        contacts = [Contact(r.received_at, r.ack_deadline, r.acknowledged_at, r.overdue_at, r.redirected_at)
                    for r in await network.contacts_received(session, low, high, region)]
    return {"region": region,
            "published": {"total": sum(line["published"] for line in published), "by_region": published},
            **summarise(start, end, counters, contacts, db.clock.now())}


async def known_structure_region(db: Database, structure_id: UUID) -> tuple[bool, str | None]:
    """(whether the directory knows this structure, the region of its last profile if any)."""
    async with db.sessions() as session:
        row = (await session.execute(sa.select(structures.c.region).where(
            structures.c.structure_id == structure_id))).first()
    return (False, None) if row is None else (True, row.region)
