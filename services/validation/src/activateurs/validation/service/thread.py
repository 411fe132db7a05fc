"""The DGE ↔ applicant thread: DGE messages (possibly requesting information) and the applicant's replies."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from activateurs.shared.auth import Principal
from activateurs.shared.contracts.emails import InformationRequestedContext
from activateurs.shared.contracts.validation import InformationRequested, InformationRequestedData
from activateurs.shared.contracts.vocabulary import ValidationStatus

from ..adapters import audit_store, repository
from ..domain.calendar import FINAL_REMINDER_BEFORE, FIRST_REMINDER_MONTHS, RESPONSE_MONTHS, add_months
from ..domain.case import check_message, check_reply
from ..domain.profile import applicant
from .common import PRODUCER, Context, NotFound, actor


async def post_dge_message(ctx: Context, principal: Principal, dossier_id: UUID, body: str,
                           requests_information: bool) -> dict[str, Any]:
    now = ctx.db.clock.now()
    async with ctx.db.uow() as uow:
        case = await repository.lock_case(uow.session, dossier_id)
        if case is None:
            raise NotFound("no such dossier")
        old = ValidationStatus(case["status"])
        new = check_message(old, requests_information)
        who = actor(principal)
        message = {"id": uuid.uuid4(), "dossier_id": dossier_id, "author": "dge", "author_id": who, "body": body,
                   "requests_information": requests_information, "created_at": now}
        await repository.add_message(uow.session, message)
        respond_by = None
        if requests_information:
            respond_by = add_months(now, RESPONSE_MONTHS)
            await repository.update_case(uow.session, dossier_id, status=new.value, respond_by=respond_by,
                                         updated_at=now)
            await repository.add_deadlines(uow.session, [
                {"dossier_id": dossier_id, "kind": kind, "due_at": due, "request_message_id": message["id"]}
                for kind, due in (("reminder", add_months(now, FIRST_REMINDER_MONTHS)),
                                  ("final_reminder", respond_by - FINAL_REMINDER_BEFORE),
                                  ("expiry", respond_by))])
            await repository.add_history(uow.session, [{"dossier_id": dossier_id, "at": now, "actor": who,
                                                        "action": "information_requested", "from_status": old.value,
                                                        "to_status": new.value, "reason": None}])
            await uow.add_event(InformationRequested.new(
                InformationRequestedData(dossier_id=dossier_id, account_id=case["account_id"], message=body,
                                         respond_by=respond_by),
                producer=PRODUCER, occurred_at=now, correlation_id=str(dossier_id)))
            data = await repository.revision_data(uow.session, dossier_id, case["revision"])
            person = applicant(data)
            if person is not None:
                await ctx.email(uow, InformationRequestedContext(
                    first_name=person.first_name, structure_name=case["structure_name"], message=body,
                    respond_by=respond_by, dossier_url=ctx.dossier_url),
                    to=str(person.email), key=f"{dossier_id}:{message['id']}:information_requested",
                    account_id=case["account_id"], correlation_id=str(dossier_id))
        await audit_store.append(uow.session, at=now, actor=who,
                                 action="information_requested" if requests_information else "message",
                                 subject_id=str(dossier_id), reason=None,
                                 details={"message_id": str(message["id"]), "status": new.value})
        await uow.commit()
    return {**_public(message), "status": new.value, "respond_by": respond_by}


async def post_applicant_reply(ctx: Context, principal: Principal, body: str) -> dict[str, Any]:
    now = ctx.db.clock.now()
    account_id = _account(principal)
    async with ctx.db.uow() as uow:
        case = await repository.lock_case_of_account(uow.session, account_id)
        if case is None:
            raise NotFound("you have no dossier under review")
        old = ValidationStatus(case["status"])
        new = check_reply(old)
        message = {"id": uuid.uuid4(), "dossier_id": case["dossier_id"], "author": "applicant",
                   "author_id": f"activator:{principal.subject}", "body": body, "requests_information": False,
                   "created_at": now}
        await repository.add_message(uow.session, message)
        if new != old:
            # The answer stops the 3-month clock and puts the case back in the DGE's queue.
            await repository.update_case(uow.session, case["dossier_id"], status=new.value, respond_by=None,
                                         waiting_since=now, updated_at=now)
            await repository.cancel_deadlines(uow.session, [case["dossier_id"]], now)
            await repository.add_history(uow.session, [{"dossier_id": case["dossier_id"], "at": now,
                                                        "actor": message["author_id"], "action": "applicant_reply",
                                                        "from_status": old.value, "to_status": new.value,
                                                        "reason": None}])
        await audit_store.append(uow.session, at=now, actor=message["author_id"], action="applicant_message",
                                 subject_id=str(case["dossier_id"]), reason=None,
                                 details={"message_id": str(message["id"]), "status": new.value})
        await uow.commit()
    return {**_public(message), "status": new.value}


async def applicant_thread(ctx: Context, principal: Principal) -> dict[str, Any]:
    account_id = _account(principal)
    async with ctx.db.sessions() as session:
        case = await repository.case_of_account(session, account_id)
        if case is None:
            raise NotFound("you have no dossier under review")
        messages = await repository.thread(session, case["dossier_id"])
    return {"dossier_id": case["dossier_id"], "status": case["status"], "respond_by": case["respond_by"],
            "messages": [_public(m) for m in messages],
            "decision_reason": case["decision_reason"] if case["status"] == "refused" else None}


def _account(principal: Principal) -> UUID:
    try:
        return UUID(principal.subject)
    except ValueError:
        raise NotFound("you have no dossier under review") from None


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the thread shows it: the DGE side signs as the DGE, not as a named agent."""
    return {"id": message["id"], "author": message["author"], "body": message["body"],
            "requests_information": message["requests_information"], "created_at": message["created_at"]}
