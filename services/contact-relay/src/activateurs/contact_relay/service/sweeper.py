"""The deadline sweeper: reminder at half time, overdue at the deadline; rows claimed with SKIP LOCKED."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from activateurs.shared.contracts.contact_relay import RequestOverdue, RequestStepData
from activateurs.shared.contracts.emails import (
    Alternative,
    ContactAckReminderContext,
    ContactOverdueActivatorContext,
    ContactOverdueBusinessContext,
)
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.db import Database

from ..adapters import requests as repo
from ..adapters.tables import contact_requests
from ..domain.requests import RequestStatus
from . import retention
from .intake import PRODUCER
from .links import Links

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    reminders: int = 0
    overdue: int = 0


async def send_reminders(db: Database, links: Links, batch: int = 200) -> int:
    now = db.clock.now()
    async with db.uow() as uow:
        rows = (await uow.session.execute(repo.due_reminders(now, batch))).all()
        if not rows:
            return 0
        events = []
        for row in rows:
            zone = ZoneInfo(row.timezone)
            context = ContactAckReminderContext(
                structure_name=row.structure_name or "", company_name=row.company_name,
                ack_deadline=row.ack_deadline.astimezone(zone),
                acknowledgement_url=links.acknowledgement_url(row.id, row.structure_id, row.received_at))
            events += [EmailRequested.for_context(
                context, to=address, idempotency_key=f"contact-relay:{row.id}:reminder:{row.structure_id}:{address}",
                producer=PRODUCER, occurred_at=now) for address in row.contact_emails]
        await uow.session.execute(sa.update(contact_requests)
                                  .where(contact_requests.c.id.in_([row.id for row in rows]))
                                  .values(reminder_sent_at=now))
        await uow.add_events(events)
        await uow.commit()
    return len(rows)


async def mark_overdue(db: Database, links: Links, batch: int = 200) -> int:
    now = db.clock.now()
    async with db.uow() as uow:
        rows = (await uow.session.execute(repo.due_deadlines(now, batch))).all()
        if not rows:
            return 0
        events = []
        for row in rows:
            zone = ZoneInfo(row.timezone)
            ack_url = links.acknowledgement_url(row.id, row.structure_id, row.received_at)
            activator = ContactOverdueActivatorContext(
                structure_name=row.structure_name or "", company_name=row.company_name,
                received_at=row.received_at.astimezone(zone), ack_deadline=row.ack_deadline.astimezone(zone),
                acknowledgement_url=ack_url)
            events += [EmailRequested.for_context(
                activator, to=address, idempotency_key=f"contact-relay:{row.id}:overdue:{row.structure_id}:{address}",
                producer=PRODUCER, occurred_at=now) for address in row.contact_emails]
            others = await repo.alternatives(uow.session, department=row.structure_department,
                                             exclude=row.structure_id, domains=list(row.domains))
            business = ContactOverdueBusinessContext(
                contact_name=row.contact_name, structure_name=row.structure_name or "",
                alternatives=[Alternative(name=o.name or "", city=o.city or "",
                                          profile_url=links.profile_url(o.slug, o.profile_url)) for o in others],
                directory_url=links.directory_url(row.postal_code))
            events.append(EmailRequested.for_context(
                business, to=row.email, idempotency_key=f"contact-relay:{row.id}:overdue-business:{row.structure_id}",
                producer=PRODUCER, occurred_at=now))
            events.append(RequestOverdue.new(RequestStepData(request_id=row.id, structure_id=row.structure_id, at=now),
                                             producer=PRODUCER, occurred_at=now))
        await uow.session.execute(sa.update(contact_requests)
                                  .where(contact_requests.c.id.in_([row.id for row in rows]))
                                  .values(status=RequestStatus.OVERDUE.value, overdue_at=now))
        await uow.add_events(events)
        await uow.commit()
    return len(rows)


async def sweep(db: Database, links: Links, batch: int = 200) -> SweepResult:
    """Everything due now, batch after batch; any number of replicas may run it at once."""
    reminders = overdue = 0
    while (done := await send_reminders(db, links, batch)):
        reminders += done
    while (done := await mark_overdue(db, links, batch)):
        overdue += done
    return SweepResult(reminders, overdue)


async def run_forever(db: Database, links: Links, *, interval: float, batch: int, retention_months: int) -> None:
    purge_every = max(1, int(3600 / interval))  # the retention purge: hourly is plenty
    for turn in itertools.count():
        result = await sweep(db, links, batch)
        if result.reminders or result.overdue:
            log.info("deadline sweep: %d reminders, %d overdue", result.reminders, result.overdue)
        if turn % purge_every == 0:
            purged = await retention.purge(db, retention_months)
            if purged:
                log.info("retention: personal data erased from %d old requests", purged)
        await asyncio.sleep(interval)
