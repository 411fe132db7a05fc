"""Redirecting a request to another published structure: the business told, the new one's own fresh deadline."""

from __future__ import annotations

from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from activateurs.shared.contracts.contact_relay import (
    RequestForwarded,
    RequestForwardedData,
    RequestRedirected,
    RequestStepData,
)
from activateurs.shared.contracts.emails import ContactRedirectedActivatorContext, ContactRedirectedBusinessContext
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.vocabulary import Domain
from activateurs.shared.db import Database

from ..adapters import requests as repo
from ..adapters.tables import contact_requests
from ..domain.requests import RequestStatus
from ..domain.working_time import ack_schedule, territory_for
from .acknowledgement import NotAcknowledgeable, NotYours, RequestNotFound
from .intake import PRODUCER, UnknownStructure
from .links import Links
from .structure_mails import structure_mails

REDIRECTABLE = frozenset({RequestStatus.FORWARDED, RequestStatus.OVERDUE, RequestStatus.ACKNOWLEDGED})


class SameStructure(Exception):
    pass


async def redirect(db: Database, links: Links, request_id: UUID, by_structure: UUID, target_slug: str,
                   note: str | None) -> UUID:
    """Returns the id of the new request (the next hop of the chain)."""
    now = db.clock.now()
    async with db.uow() as uow:
        session = uow.session
        row = await repo.lock_request(session, request_id)
        if row is None:
            raise RequestNotFound(request_id)
        if row.structure_id != by_structure:
            raise NotYours("this request is not addressed to your structure")
        if row.status not in REDIRECTABLE:
            raise NotAcknowledgeable(f"this request is already {row.status}")
        target = await repo.online_structure_by_slug(session, target_slug)
        if target is None:
            raise UnknownStructure(target_slug)
        if target.structure_id == row.structure_id:
            raise SameStructure("a request cannot be redirected to the structure holding it")
        source = await repo.structure(session, row.structure_id)
        territory = territory_for(target.department or "", target.timezone)
        schedule = ack_schedule(now, territory)
        new_id = uuid4()
        values = {
            **{c: getattr(row, c) for c in ("company_name", "siret", "contact_name", "email", "phone", "postal_code",
                                            "domains", "message")},
            "id": new_id, "structure_id": target.structure_id, "status": RequestStatus.FORWARDED.value,
            "received_at": now, "reminder_at": schedule.reminder_at, "ack_deadline": schedule.ack_deadline,
            "timezone": territory.timezone, "previous_id": request_id, "redirect_note": note,
        }
        await repo.insert_requests(session, [values])
        await session.execute(sa.update(contact_requests).where(contact_requests.c.id == request_id)
                              .values(status=RequestStatus.REDIRECTED.value, redirected_to=new_id))
        from_name = source.name if source is not None else ""
        activator = ContactRedirectedActivatorContext(
            structure_name=target.name, from_structure_name=from_name, company_name=row.company_name,
            contact_name=row.contact_name, contact_email=row.email, phone=row.phone, siret=row.siret,
            postal_code=row.postal_code, domains=[Domain(d).label for d in row.domains], message=row.message,
            note=note, ack_deadline=schedule.ack_deadline.astimezone(ZoneInfo(territory.timezone)),
            acknowledgement_url=links.acknowledgement_url(new_id, target.structure_id, now))
        events: list = structure_mails(activator, kind="redirected", request_id=new_id,
                                       structure_id=target.structure_id, account_id=target.account_id,
                                       addresses=target.contact_emails, secret=links.secret, now=now)
        events.append(EmailRequested.for_context(
            ContactRedirectedBusinessContext(contact_name=row.contact_name, from_structure_name=from_name,
                                             to_structure_name=target.name,
                                             to_profile_url=links.profile_url(target.slug, target.profile_url),
                                             note=note),
            to=row.email, idempotency_key=f"contact-relay:{request_id}:redirected-business", producer=PRODUCER,
            occurred_at=now))
        events.append(RequestRedirected.new(RequestStepData(request_id=request_id, structure_id=row.structure_id,
                                                            at=now), producer=PRODUCER, occurred_at=now))
        events.append(RequestForwarded.new(RequestForwardedData(request_id=new_id, structure_id=target.structure_id,
                                                                ack_deadline=schedule.ack_deadline, received_at=now),
                                           producer=PRODUCER, occurred_at=now))
        await uow.add_events(events)
        await uow.commit()
    return new_id
