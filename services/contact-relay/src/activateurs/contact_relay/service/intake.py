"""Intake of a business's contact request: stored once, forwarded to the structure, confirmed to the business."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from activateurs.shared import raw_sql, tracing
from activateurs.shared.contracts.contact_relay import RequestForwarded, RequestForwardedData
from activateurs.shared.contracts.emails import ContactConfirmationContext, ContactForwardedContext
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.vocabulary import Domain
from activateurs.shared.db import Database
from activateurs.shared.messaging.batching import GroupCommitter

from ..adapters import intake_store as store
from ..domain.requests import RequestStatus
from ..domain.working_time import ack_schedule, territory_for
from .links import Links
from .structure_mails import PRODUCER, structure_mails

__all__ = ["PRODUCER", "ContactRequest", "Intake", "UnknownStructure", "forwarded_emails", "store_batch"]


class UnknownStructure(Exception):
    """No online structure answers to this slug: nothing is stored."""


@dataclass(frozen=True)
class ContactRequest:
    activator_slug: str
    company_name: str
    contact_name: str
    email: str
    postal_code: str
    domains: list[Domain]
    message: str
    siret: str | None = None
    phone: str | None = None


def forwarded_emails(*, request_id: UUID, structure_id: UUID, account_id: UUID | None, structure_name: str,
                     contact_emails: list[str], values: dict, ack_deadline: datetime, acknowledgement_url: str,
                     secret: str, now: datetime, key_prefix: str = "forwarded") -> list[EmailRequested]:
    context = ContactForwardedContext(
        structure_name=structure_name, company_name=values["company_name"], contact_name=values["contact_name"],
        contact_email=values["email"], phone=values["phone"], siret=values["siret"],
        postal_code=values["postal_code"], domains=[Domain(d).label for d in values["domains"]],
        message=values["message"], ack_deadline=ack_deadline, acknowledgement_url=acknowledgement_url)
    return structure_mails(context, kind=key_prefix, request_id=request_id, structure_id=structure_id,
                           account_id=account_id, addresses=contact_emails, secret=secret, now=now)


def _request_rows(structure, request: ContactRequest, request_id: UUID, now: datetime, links: Links,
                  schedules: dict) -> tuple[dict, list]:
    """The request's row and the events it causes (emails to both sides, `forwarded`)."""
    key = (structure["department"], structure["timezone"])
    if key not in schedules:  # one deadline computation per territory and batch: they share `now`
        territory = territory_for(structure["department"] or "", structure["timezone"])
        schedules[key] = (territory, ack_schedule(now, territory))
    territory, schedule = schedules[key]
    ack_deadline_local = schedule.ack_deadline.astimezone(ZoneInfo(territory.timezone))
    values = {
        "id": request_id, "structure_id": structure["structure_id"], "company_name": request.company_name,
        "siret": request.siret, "contact_name": request.contact_name, "email": request.email,
        "phone": request.phone, "postal_code": request.postal_code,
        "domains": [str(d) for d in request.domains], "message": request.message,
        "status": RequestStatus.FORWARDED.value, "received_at": now, "reminder_at": schedule.reminder_at,
        "ack_deadline": schedule.ack_deadline, "timezone": territory.timezone,
    }
    confirmation = EmailRequested.for_context(
        ContactConfirmationContext(contact_name=request.contact_name, structure_name=structure["name"] or "",
                                   ack_deadline=ack_deadline_local),
        to=request.email, idempotency_key=f"contact-relay:{request_id}:confirmation", producer=PRODUCER,
        occurred_at=now)
    forwarded = forwarded_emails(
        request_id=request_id, structure_id=structure["structure_id"], account_id=structure["account_id"],
        structure_name=structure["name"] or "", contact_emails=list(structure["contact_emails"]), values=values,
        ack_deadline=ack_deadline_local, secret=links.secret,
        acknowledgement_url=links.acknowledgement_url(request_id, structure["structure_id"], now), now=now)
    event = RequestForwarded.new(
        RequestForwardedData(request_id=request_id, structure_id=structure["structure_id"],
                             ack_deadline=schedule.ack_deadline, received_at=now),
        producer=PRODUCER, occurred_at=now)
    # The structure's copy first: it is the one whose latency matters.
    return values, [*forwarded, confirmation, event]


async def store_batch(db: Database, links: Links, batch: Sequence[ContactRequest],
                      origins: Sequence[str | None] | None = None) -> list[UUID | None]:
    """Store a batch of requests in one transaction; None for a request to no online structure (nothing stored).

    The routing is read inside that transaction: a structure taken offline a moment ago gets nothing.
    `origins`: each request's trace (tracing.carrier()), so the mails of each continue its own trace.
    """
    now = db.clock.now()
    results: list[UUID | None] = []
    rows: list[dict] = []
    events: list = []
    traces: list[str | None] = []
    async with raw_sql.transaction(db) as conn:
        found = {row["slug"]: row for row in await store.online_structures(conn, (r.activator_slug for r in batch))}
        schedules: dict = {}
        for index, request in enumerate(batch):
            structure = found.get(request.activator_slug)
            if structure is None:
                results.append(None)
                continue
            request_id = uuid4()
            values, caused = _request_rows(structure, request, request_id, now, links, schedules)
            rows.append(values)
            events += caused
            if origins is not None:
                traces += [origins[index]] * len(caused)
            results.append(request_id)
        if rows:
            await store.insert_requests(conn, rows)
            await raw_sql.insert_events(conn, events, now, traces if origins is not None else None)
    if rows:
        db.outbox_signal.set()  # committed: the relay publishes now rather than at its next poll
    return results


class Intake:
    """Concurrent requests share one transaction (group commit): one commit, not one per request, under load."""

    def __init__(self, db: Database, links: Links, *, max_batch: int = 100) -> None:
        # Each request with its trace (None with tracing off): a batch holds the requests of several traces.
        self._committer: GroupCommitter[tuple[ContactRequest, str | None], UUID | None] = GroupCommitter(
            lambda batch: store_batch(db, links, [request for request, _ in batch], [origin for _, origin in batch]),
            max_batch=max_batch)

    async def submit(self, request: ContactRequest) -> UUID:
        """The new request's id once committed. Raises UnknownStructure."""
        request_id = await self._committer.submit((request, tracing.carrier()))
        if request_id is None:
            raise UnknownStructure(request.activator_slug)
        return request_id
