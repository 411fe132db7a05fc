"""Sanctions on an accepted structure (A8): suspend until further notice, reinstate, strike off — each notified."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from activateurs.shared.auth import Principal
from activateurs.shared.contracts.emails import (
    StructureReinstatedContext,
    StructureStruckOffContext,
    StructureSuspendedContext,
)
from activateurs.shared.contracts.validation import (
    SanctionData,
    StructureReinstated,
    StructureStruckOff,
    StructureSuspended,
)

from ..adapters import audit_store, repository
from ..domain.case import Sanction, StructureState, check_sanction
from ..domain.profile import applicant
from .common import PRODUCER, Context, NotFound, actor

_EVENTS = {Sanction.SUSPEND: StructureSuspended, Sanction.REINSTATE: StructureReinstated,
           Sanction.STRIKE_OFF: StructureStruckOff}
_EMAILS = {Sanction.SUSPEND: StructureSuspendedContext, Sanction.REINSTATE: StructureReinstatedContext,
           Sanction.STRIKE_OFF: StructureStruckOffContext}


async def sanction(ctx: Context, principal: Principal, structure_id: UUID, kind: Sanction,
                   reason: str) -> dict[str, Any]:
    now = ctx.db.clock.now()
    who = actor(principal)
    async with ctx.db.uow() as uow:
        case = await repository.lock_case_of_structure(uow.session, structure_id)
        if case is None:
            raise NotFound("no such structure")
        old = StructureState(case["structure_state"])
        new = check_sanction(old, kind)
        await repository.update_case(uow.session, case["dossier_id"], structure_state=new.value, updated_at=now)
        await uow.add_event(_EVENTS[kind].new(SanctionData(structure_id=structure_id, reason=reason),
                                              producer=PRODUCER, occurred_at=now, correlation_id=str(structure_id)))
        data = await repository.revision_data(uow.session, case["dossier_id"], case["revision"])
        person = applicant(data)
        if person is not None:
            # The key counts this structure's sanctions so far: a second suspension is a second mail.
            serial = await repository.count_history(uow.session, case["dossier_id"], f"sanction:{kind.value}")
            await ctx.email(uow, _EMAILS[kind](first_name=person.first_name, structure_name=case["structure_name"],
                                               reason=reason),
                            to=str(person.email), key=f"{structure_id}:{kind.value}:{serial + 1}",
                            account_id=case["account_id"], correlation_id=str(structure_id))
        await repository.add_history(uow.session, [{"dossier_id": case["dossier_id"], "at": now, "actor": who,
                                                    "action": f"sanction:{kind.value}", "from_status": old.value,
                                                    "to_status": new.value, "reason": reason}])
        await audit_store.append(uow.session, at=now, actor=who, action=f"structure_{kind.value}",
                                 subject_id=str(structure_id), reason=reason,
                                 details={"dossier_id": str(case["dossier_id"]), "state": new.value})
        await uow.commit()
    return {"structure_id": structure_id, "state": new.value, "at": now, "reason": reason}
