"""Accepting an email request: stored once under its idempotency key, built now, failed now if it never can be sent."""

from __future__ import annotations

from email.utils import format_datetime
from enum import StrEnum

from activateurs.shared.contracts.notifier import EmailFailed, EmailOutcomeData, EmailRequested
from activateurs.shared.db import Database
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters import repository
from ..adapters.mime import build_message
from ..adapters.rendering import ContextInvalid, EmailRenderer, RenderedEmail, TemplateUnknown
from ..domain.delivery import DeliveryStatus, address_problem, message_id

CONSUMER = "notifier.email-requests"
PRODUCER = "notifier"


class Intake(StrEnum):
    QUEUED = "queued"            # stored, the sender will send it
    REJECTED = "rejected"        # stored as failed: unknown template, bad context or address
    KNOWN = "known"              # its idempotency key was already stored: nothing more to do
    DUPLICATE = "duplicate"      # this very event was already processed


def _render(renderer: EmailRenderer, request: EmailRequested) -> tuple[RenderedEmail | None, str | None]:
    problem = address_problem(request.data.to)
    if problem:
        return None, problem
    try:
        return renderer.render(request.data.template, request.data.context), None
    except (TemplateUnknown, ContextInvalid) as error:
        return None, str(error)


async def accept_email_request(
    request: EmailRequested, *, db: Database, renderer: EmailRenderer, mail_from: str, message_id_domain: str
) -> Intake:
    """The message is built here, once: every attempt sends exactly these bytes, even after a deploy."""
    data = request.data
    rendered, problem = _render(renderer, request)
    now = db.clock.now()
    mail_id = message_id(data.idempotency_key, message_id_domain)
    raw_message = None
    if rendered is not None:
        raw_message = build_message(mail_from=mail_from, to=data.to.strip(), subject=rendered.subject,
                                    text=rendered.text, html=rendered.html, message_id=mail_id,
                                    date=format_datetime(now), template=data.template)
    async with db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, request, now):
            return Intake.DUPLICATE
        stored = await repository.insert_once(uow.session, {
            "idempotency_key": data.idempotency_key,
            "template": data.template,
            "recipient": data.to.strip(),
            "subject": rendered.subject if rendered else None,
            "raw_message": raw_message,
            "message_id": mail_id,
            "status": DeliveryStatus.FAILED if problem else DeliveryStatus.PENDING,
            "next_attempt_at": None if problem else now,
            "last_error": problem,
            "failed_at": now if problem else None,
            "requested_by": request.producer,
            "request_event_id": request.event_id,
            "correlation_id": request.correlation_id,
            "created_at": now,
        })
        if stored and problem:
            await uow.add_event(EmailFailed.new(
                EmailOutcomeData(idempotency_key=data.idempotency_key, template=data.template, at=now, error=problem),
                producer=PRODUCER, occurred_at=now, correlation_id=request.correlation_id,
            ))
        await uow.commit()
    if not stored:
        return Intake.KNOWN
    return Intake.REJECTED if problem else Intake.QUEUED
