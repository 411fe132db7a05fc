"""Submitted revisions become review cases: every revision kept, the highest one wins, pre-checks per revision."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from activateurs.shared.contracts.emails import DossierReceivedContext
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.registration import DossierSubmitted
from activateurs.shared.contracts.vocabulary import ValidationStatus
from activateurs.shared.messaging.inbox import first_deliveries

from ..adapters import repository
from ..domain.case import status_after_submission
from ..domain.prechecks import WebsiteHint, run_prechecks, summarize
from ..domain.profile import applicant, place_of
from .common import Context

CONSUMER = "validation.dossier-submissions"

WebsiteProbe = Callable[[str], Awaitable[WebsiteHint]]


@dataclass(frozen=True)
class PreparedRevision:
    """A submitted event with its pre-checks computed: the slow part, done outside the transaction."""

    event: DossierSubmitted
    prechecks: list[dict[str, Any]]
    summary: dict[str, Any]
    place: tuple[str, str]  # (department, region) of the structure's address

    @property
    def submitted_at(self):  # noqa: ANN201 - an aware datetime
        return self.event.data.submitted_at or self.event.occurred_at


async def prepare(event: DossierSubmitted, *, website_probe: WebsiteProbe | None = None) -> PreparedRevision:
    data = event.data
    submitted_at = data.submitted_at or event.occurred_at
    place = place_of(data.structure.structure.address.postal_code)  # a broken snapshot fails here, alone
    hint = None
    if website_probe is not None and data.structure.structure.website:
        hint = await website_probe(data.structure.structure.website)
    checks = [c.as_dict() for c in run_prechecks(data, today=submitted_at.astimezone(UTC).date(), website_hint=hint)]
    return PreparedRevision(event, checks, summarize(checks), place)


async def store_revisions(ctx: Context, batch: Sequence[PreparedRevision]) -> list[None]:
    """One transaction for a batch: inbox, revisions, cases created or moved on, history, outbox."""
    now = ctx.db.clock.now()
    async with ctx.db.uow() as uow:
        fresh = await first_deliveries(uow.session, CONSUMER, [p.event for p in batch], now)
        seen: set[uuid.UUID] = set()
        items = []
        for p in batch:
            if p.event.event_id in fresh and p.event.event_id not in seen:
                seen.add(p.event.event_id)
                items.append(p)
        stored = await repository.insert_revisions(uow.session, [_revision_row(p, now) for p in items])
        items = [p for p in items if (p.event.data.dossier_id, p.event.data.revision) in stored]
        # Per dossier, only the highest revision of the batch may become the case's current one.
        latest: dict[uuid.UUID, PreparedRevision] = {}
        for p in items:
            known = latest.get(p.event.data.dossier_id)
            if known is None or p.event.data.revision > known.event.data.revision:
                latest[p.event.data.dossier_id] = p
        created = await repository.insert_new_cases(uow.session, [_case_row(p, now) for p in latest.values()])
        existing = await repository.lock_cases(uow.session, [d for d in latest if d not in created])
        history: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        reopened: list[uuid.UUID] = []
        winners: list[PreparedRevision] = [latest[d] for d in created]
        for p in items:
            data = p.event.data
            if data.dossier_id in created:
                if p is latest[data.dossier_id]:
                    history.append(_history(p, now, None, ValidationStatus.TO_REVIEW.value))
                else:
                    history.append(_history(p, now, None, None, late=True))
                continue
            case = existing[data.dossier_id]
            if p is not latest[data.dossier_id] or data.revision <= case["revision"]:
                history.append(_history(p, now, case["status"], None, late=True))
                continue
            old = ValidationStatus(case["status"])
            new = status_after_submission(old)
            if old == ValidationStatus.AWAITING_APPLICANT:
                reopened.append(data.dossier_id)
            updates.append(_case_update(p, case, new, now))
            history.append(_history(p, now, old.value, new.value))
            winners.append(p)
        await repository.update_cases(uow.session, updates)
        await repository.cancel_deadlines(uow.session, reopened, now)
        await repository.add_history(uow.session, history)
        await uow.add_events([r for r in (_acknowledgement(ctx, p) for p in winners) if r is not None])
        await uow.commit()
    return [None] * len(batch)


def _revision_row(p: PreparedRevision, now) -> dict[str, Any]:  # noqa: ANN001
    data = p.event.data
    return {"dossier_id": data.dossier_id, "revision": data.revision, "event_id": p.event.event_id,
            "data": data.model_dump(mode="json"), "prechecks": p.prechecks, "submitted_at": p.submitted_at,
            "received_at": now}


def _case_row(p: PreparedRevision, now) -> dict[str, Any]:  # noqa: ANN001
    data = p.event.data
    department, region = p.place
    return {"dossier_id": data.dossier_id, "account_id": data.account_id, "status": ValidationStatus.TO_REVIEW.value,
            "revision": data.revision, "structure_name": data.structure.structure.name, "department": department,
            "region": region, "precheck_summary": p.summary, "submitted_at": p.submitted_at,
            "waiting_since": p.submitted_at, "created_at": now, "updated_at": now}


def _case_update(p: PreparedRevision, case: dict[str, Any], status: ValidationStatus, now) -> dict[str, Any]:  # noqa: ANN001
    data = p.event.data
    department, region = p.place
    reopened = case["status"] != status.value
    still_open = status in (ValidationStatus.TO_REVIEW, ValidationStatus.AWAITING_APPLICANT)
    return {
        "b_dossier_id": data.dossier_id, "status": status.value, "revision": data.revision,
        "structure_name": data.structure.structure.name, "department": department, "region": region,
        "precheck_summary": p.summary, "submitted_at": p.submitted_at,
        # Still waiting for the DGE: it keeps its place in the queue; otherwise it starts waiting now.
        "waiting_since": p.submitted_at if reopened else case["waiting_since"],
        "respond_by": None if still_open else case["respond_by"],
        "decided_at": None if still_open else case["decided_at"],
        "decision_reason": None if still_open else case["decision_reason"],
        "updated_at": now,
    }


def _history(p: PreparedRevision, now, from_status: str | None, to_status: str | None,  # noqa: ANN001
             *, late: bool = False) -> dict[str, Any]:
    revision = p.event.data.revision
    action = f"revision {revision} received" + (" (not the latest: kept, case unchanged)" if late else "")
    return {"dossier_id": p.event.data.dossier_id, "at": now, "actor": f"applicant:{p.event.data.account_id}",
            "action": "submission", "from_status": from_status, "to_status": to_status, "reason": action}


def _acknowledgement(ctx: Context, p: PreparedRevision) -> EmailRequested | None:
    """The "dossier received" email for the revision that became current."""
    data = p.event.data
    person = applicant(data)
    if person is None:
        return None
    return ctx.email_request(DossierReceivedContext(first_name=person.first_name,
                                                    structure_name=data.structure.structure.name,
                                                    revision=data.revision),
                             to=str(person.email), key=f"{data.dossier_id}:{data.revision}:received",
                             account_id=data.account_id, correlation_id=p.event.correlation_id)
