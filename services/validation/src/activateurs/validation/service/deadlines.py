"""The 3-month rule: reminders one month after the request and 14 days before the end, then expiry."""

from __future__ import annotations

import asyncio
import logging

from activateurs.shared.contracts.emails import InformationReminderContext
from activateurs.shared.contracts.validation import DossierExpired, DossierExpiredData
from activateurs.shared.contracts.vocabulary import ValidationStatus
from activateurs.shared.db import UnitOfWork
from activateurs.shared.messaging.consumer import is_transient
from activateurs.shared.waiting import wait_event

from ..adapters import audit_store, repository
from ..domain.profile import applicant
from .common import PRODUCER, Context

log = logging.getLogger(__name__)


async def fire_due(ctx: Context, *, limit: int = 100) -> int:
    """Fire what is due now, once across replicas (rows claimed with SKIP LOCKED); the number fired."""
    now = ctx.db.clock.now()
    async with ctx.db.uow() as uow:
        due = await repository.claim_due_deadlines(uow.session, now, limit)
        if not due:
            return 0
        cases = await repository.lock_cases_skip_locked(uow.session, list({d["dossier_id"] for d in due}))
        fired = 0
        for deadline in due:
            case = cases.get(deadline["dossier_id"])
            if case is None:
                continue  # a request holds the case right now (it may be answering): next round
            await repository.mark_fired(uow.session, deadline["id"], now)
            fired += 1
            if case["status"] != ValidationStatus.AWAITING_APPLICANT.value:
                continue  # answered meanwhile (normally cancelled already): nothing to do
            if deadline["kind"] == "expiry":
                await _expire(ctx, uow, case, now)
            else:
                await _remind(ctx, uow, case, deadline)
        await uow.commit()
    return fired


async def _remind(ctx: Context, uow: UnitOfWork, case: dict, deadline: dict) -> None:
    data = await repository.revision_data(uow.session, case["dossier_id"], case["revision"])
    person = applicant(data)
    if person is None:
        return
    await ctx.email(uow, InformationReminderContext(
        first_name=person.first_name, structure_name=case["structure_name"], respond_by=case["respond_by"],
        dossier_url=ctx.dossier_url, final=deadline["kind"] == "final_reminder"),
        to=str(person.email), key=f"{case['dossier_id']}:{deadline['request_message_id']}:{deadline['kind']}",
        account_id=case["account_id"], correlation_id=str(case["dossier_id"]))


async def _expire(ctx: Context, uow: UnitOfWork, case: dict, now) -> None:  # noqa: ANN001
    dossier_id = case["dossier_id"]
    await repository.update_case(uow.session, dossier_id, status=ValidationStatus.EXPIRED.value, respond_by=None,
                                 decided_at=now, updated_at=now)
    await repository.cancel_deadlines(uow.session, [dossier_id], now)
    await repository.add_history(uow.session, [{"dossier_id": dossier_id, "at": now, "actor": "system",
                                                "action": "expired", "from_status": case["status"],
                                                "to_status": ValidationStatus.EXPIRED.value,
                                                "reason": "information request unanswered for 3 months"}])
    # Registration deletes the account on this event (and sends the account_deleted email).
    await uow.add_event(DossierExpired.new(DossierExpiredData(dossier_id=dossier_id, account_id=case["account_id"]),
                                           producer=PRODUCER, occurred_at=now, correlation_id=str(dossier_id)))
    await audit_store.append(uow.session, at=now, actor="system", action="dossier_expired",
                             subject_id=str(dossier_id), reason="information request unanswered for 3 months",
                             details={"revision": case["revision"]})


class DeadlineSweeper:
    """A background loop: fires due deadlines, then sleeps `poll` seconds (or until woken)."""

    def __init__(self, ctx: Context, *, poll: float, batch: int) -> None:
        self._ctx = ctx
        self._poll = poll
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                while await fire_due(self._ctx, limit=self._batch) >= self._batch:
                    pass
            except Exception as error:
                if not is_transient(error):
                    raise
                log.warning("deadline sweeper: %s, trying again later", type(error).__name__)
            await wait_event(self._wake, self._poll)
