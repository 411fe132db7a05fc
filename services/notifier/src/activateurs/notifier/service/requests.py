"""Accepting email requests: each stored once under its idempotency key, built now, failed now if it never can be sent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from enum import StrEnum
from typing import Any

from activateurs.shared import raw_sql, tracing
from activateurs.shared.contracts.notifier import EmailFailed, EmailOutcomeData, EmailRequested
from activateurs.shared.db import Database

from ..adapters import hot_paths as store
from ..adapters import repository
from ..adapters.mime import build_message
from ..adapters.rendering import ContextInvalid, EmailRenderer, TemplateUnknown
from ..domain.delivery import DeliveryStatus, address_problem, message_id

CONSUMER = "notifier.email-requests"
PRODUCER = "notifier"


class Intake(StrEnum):
    QUEUED = "queued"            # stored, the sender will send it
    REJECTED = "rejected"        # stored as failed: unknown template, bad context or address
    KNOWN = "known"              # its idempotency key was already stored: nothing more to do
    DUPLICATE = "duplicate"      # this very event was already processed


@dataclass(frozen=True)
class PreparedEmail:
    """A request with its message built (or the reason it never can be): the CPU work, done outside the transaction."""

    request: EmailRequested
    row: dict[str, Any]
    problem: str | None


def prepare(request: EmailRequested, *, renderer: EmailRenderer, mail_from: str, message_id_domain: str,
            now: datetime) -> PreparedEmail:
    """The message is built here, once: every attempt sends exactly these bytes, even after a deploy."""
    data = request.data
    mail_id = message_id(data.idempotency_key, message_id_domain)
    problem = address_problem(data.to)
    subject = raw_message = None
    if problem is None:
        try:
            rendered = renderer.render(data.template, data.context)
        except (TemplateUnknown, ContextInvalid) as error:
            problem = str(error)
        else:
            subject = rendered.subject
            raw_message = build_message(mail_from=mail_from, to=data.to.strip(), subject=rendered.subject,
                                        text=rendered.text, html=rendered.html, message_id=mail_id,
                                        date=format_datetime(now), template=data.template)
    row = {
        "id": uuid.uuid4(),
        "idempotency_key": data.idempotency_key,
        "template": data.template,
        "recipient": data.to.strip(),
        "subject": subject,
        "raw_message": raw_message,
        "message_id": mail_id,
        "status": DeliveryStatus.FAILED if problem else DeliveryStatus.PENDING,
        "next_attempt_at": None if problem else now,
        "last_error": problem,
        "failed_at": now if problem else None,
        "account_id": data.account_id,
        "erase_after_send": False,
        "requested_by": request.producer,
        "request_event_id": request.event_id,
        "correlation_id": request.correlation_id,
        "trace_context": tracing.carrier(),  # the consume span's (tracing on), for the SMTP send later
        "created_at": now,
    }
    return PreparedEmail(request, row, problem)


def _first_occurrences(prepared: Sequence[PreparedEmail]) -> list[PreparedEmail]:
    """In order, each event once: the same event delivered twice in one batch is stored once."""
    seen: set[uuid.UUID] = set()
    unique = []
    for p in prepared:
        if p.request.event_id not in seen:
            seen.add(p.request.event_id)
            unique.append(p)
    return unique


async def store_requests(db: Database, prepared: Sequence[PreparedEmail]) -> list[Intake]:
    """Store a batch in one transaction: inbox records, email rows, and a failed event for each rejected one."""
    now = db.clock.now()
    async with raw_sql.transaction(db) as conn:
        first_time = await raw_sql.first_deliveries(conn, CONSUMER, [p.request for p in prepared], now)
        new = _first_occurrences([p for p in prepared if p.request.event_id in first_time])
        deleted = await store.deleted_among(conn, {p.row["account_id"] for p in new if p.row["account_id"] is not None})
        stored = await store.insert_once(conn, [
            repository.erased_at_insert(p.row) if p.row["account_id"] in deleted else p.row for p in new])
        rejected = [p for p in new if p.row["id"] in stored and p.problem]
        await raw_sql.insert_events(conn, [
            EmailFailed.new(EmailOutcomeData(idempotency_key=p.request.data.idempotency_key,
                                             template=p.request.data.template, at=now, error=p.problem),
                            producer=PRODUCER, occurred_at=now, correlation_id=p.request.correlation_id)
            for p in rejected
        ], now, [p.row["trace_context"] for p in rejected])  # each in its own request's trace
    if rejected:
        db.outbox_signal.set()  # committed: the relay publishes now rather than at its next poll
    processed = {id(p) for p in new}
    outcomes = []
    for p in prepared:
        if id(p) not in processed:
            outcomes.append(Intake.DUPLICATE)
        elif p.row["id"] not in stored:
            outcomes.append(Intake.KNOWN)
        else:
            outcomes.append(Intake.REJECTED if p.problem else Intake.QUEUED)
    return outcomes
