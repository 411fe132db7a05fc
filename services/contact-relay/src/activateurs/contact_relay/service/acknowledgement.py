"""Acknowledging a request (one-click link or the activator's space): once, and the business is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from activateurs.shared.contracts.contact_relay import RequestAcknowledged, RequestStepData
from activateurs.shared.contracts.emails import ContactAcknowledgedContext
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.db import Database

from ..adapters import requests as repo
from ..adapters.tables import contact_requests
from ..domain import ack_token
from ..domain.requests import ACKNOWLEDGEABLE, RequestStatus
from .intake import PRODUCER
from .links import Links


class RequestNotFound(Exception):
    pass


class NotYours(Exception):
    """The caller's structure does not hold this request, or the link was not made for it."""


class NotAcknowledgeable(Exception):
    """The request has moved on (redirected to another structure)."""


@dataclass(frozen=True)
class Acknowledgement:
    request_id: UUID
    status: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class ByStructure:
    structure_id: UUID


@dataclass(frozen=True)
class ByLink:
    token: str


@dataclass(frozen=True)
class LinkedRequest:
    """What the holder of the email link may read: the mail it came in already said as much."""

    id: UUID
    status: str
    structure_name: str | None
    company_name: str
    contact_name: str
    postal_code: str
    domains: list[str]
    message: str
    received_at: datetime
    ack_deadline: datetime
    acknowledged_at: datetime | None


async def read_by_link(db: Database, links: Links, request_id: UUID, token: str) -> LinkedRequest:
    """The request an acknowledgement link points at, for its landing page; nothing is changed."""
    async with db.sessions() as session:
        row = await repo.request_with_structure(session, request_id)
    if row is None or row.purged_at is not None:
        raise RequestNotFound(request_id)
    try:
        ack_token.verify(links.secret, token, request_id, row.structure_id, db.clock.now())
    except ack_token.InvalidAckToken as error:
        raise NotYours(str(error)) from error
    return LinkedRequest(id=row.id, status=row.status, structure_name=row.structure_name,
                         company_name=row.company_name, contact_name=row.contact_name, postal_code=row.postal_code,
                         domains=list(row.domains), message=row.message, received_at=row.received_at,
                         ack_deadline=row.ack_deadline, acknowledged_at=row.acknowledged_at)


async def acknowledge(db: Database, links: Links, request_id: UUID, proof: ByStructure | ByLink) -> Acknowledgement:
    now = db.clock.now()
    async with db.uow() as uow:
        row = await repo.lock_request(uow.session, request_id)
        if row is None:
            raise RequestNotFound(request_id)
        if isinstance(proof, ByStructure):
            if proof.structure_id != row.structure_id:
                raise NotYours("this request is not addressed to your structure")
        else:
            try:
                ack_token.verify(links.secret, proof.token, request_id, row.structure_id, now)
            except ack_token.InvalidAckToken as error:
                raise NotYours(str(error)) from error
        if row.status == RequestStatus.ACKNOWLEDGED:
            return Acknowledgement(request_id, row.status, row.acknowledged_at)  # idempotent: nothing sent again
        if row.status not in ACKNOWLEDGEABLE:
            raise NotAcknowledgeable(f"this request is {row.status}")
        await uow.session.execute(sa.update(contact_requests).where(contact_requests.c.id == request_id)
                                  .values(status=RequestStatus.ACKNOWLEDGED.value, acknowledged_at=now))
        structure = await repo.structure(uow.session, row.structure_id)
        email = EmailRequested.for_context(
            ContactAcknowledgedContext(contact_name=row.contact_name,
                                       structure_name=structure.name if structure else "",
                                       profile_url=links.profile_url(structure.slug if structure else None,
                                                                     structure.profile_url if structure else None)),
            to=row.email, idempotency_key=f"contact-relay:{request_id}:acknowledged", producer=PRODUCER,
            occurred_at=now)
        event = RequestAcknowledged.new(RequestStepData(request_id=request_id, structure_id=row.structure_id, at=now),
                                        producer=PRODUCER, occurred_at=now)
        await uow.add_events([email, event])
        await uow.commit()
    return Acknowledgement(request_id, RequestStatus.ACKNOWLEDGED.value, now)
