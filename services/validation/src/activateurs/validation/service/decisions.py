"""The DGE's decision on a case: accepted (a new structure, its profile, a 24-month engagement) or refused."""

from __future__ import annotations

import uuid
from typing import Any, Literal
from uuid import UUID

from activateurs.shared.auth import Principal
from activateurs.shared.contracts.validation import (
    DossierAccepted,
    DossierAcceptedData,
    DossierRefused,
    DossierRefusedData,
)
from activateurs.shared.contracts.vocabulary import ValidationStatus

from ..adapters import audit_store, repository
from ..domain.calendar import ENGAGEMENT_MONTHS, add_months
from ..domain.case import StructureState, check_decision
from ..domain.profile import build_profile
from .common import PRODUCER, Context, NotFound, actor

Decision = Literal["accepted", "refused"]


async def decide(ctx: Context, principal: Principal, dossier_id: UUID, decision: Decision,
                 reason: str | None) -> dict[str, Any]:
    now = ctx.db.clock.now()
    who = actor(principal)
    async with ctx.db.uow() as uow:
        case = await repository.lock_case(uow.session, dossier_id)
        if case is None:
            raise NotFound("no such dossier")
        old = ValidationStatus(case["status"])
        check_decision(old)
        result: dict[str, Any] = {"dossier_id": dossier_id, "status": decision, "decided_at": now, "reason": reason}
        if decision == "accepted":
            data = await repository.revision_data(uow.session, dossier_id, case["revision"])
            structure_id = uuid.uuid4()
            expires = add_months(now, ENGAGEMENT_MONTHS)
            await repository.update_case(uow.session, dossier_id, status=decision, decided_at=now,
                                         decision_reason=reason, structure_id=structure_id,
                                         structure_state=StructureState.ACTIVE.value, engagement_expires_at=expires,
                                         respond_by=None, updated_at=now)
            await uow.add_event(DossierAccepted.new(
                DossierAcceptedData(dossier_id=dossier_id, structure_id=structure_id, account_id=case["account_id"],
                                    profile=build_profile(data), accepted_at=now, engagement_expires_at=expires),
                producer=PRODUCER, occurred_at=now, correlation_id=str(dossier_id)))
            result.update(structure_id=structure_id, engagement_expires_at=expires)
        else:
            await repository.update_case(uow.session, dossier_id, status=decision, decided_at=now,
                                         decision_reason=reason, respond_by=None, updated_at=now)
            await uow.add_event(DossierRefused.new(
                DossierRefusedData(dossier_id=dossier_id, account_id=case["account_id"], reason=reason or ""),
                producer=PRODUCER, occurred_at=now, correlation_id=str(dossier_id)))
        # A decision taken while waiting for the applicant stops the 3-month clock.
        await repository.cancel_deadlines(uow.session, [dossier_id], now)
        await repository.add_history(uow.session, [{"dossier_id": dossier_id, "at": now, "actor": who,
                                                    "action": "decision", "from_status": old.value,
                                                    "to_status": decision, "reason": reason}])
        await audit_store.append(uow.session, at=now, actor=who, action=f"dossier_{decision}",
                                 subject_id=str(dossier_id), reason=reason,
                                 details={"revision": case["revision"],
                                          **({"structure_id": str(result["structure_id"])}
                                             if decision == "accepted" else {})})
        await uow.commit()
    return result
