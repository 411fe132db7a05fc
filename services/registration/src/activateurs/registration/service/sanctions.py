"""Sanctions decided by the DGE (A8): suspended until further notice, then reinstated to the previous status.
Validation sends the emails; this service only tracks the status (no profile change while suspended)."""

from __future__ import annotations

import sqlalchemy as sa

from activateurs.shared.contracts.validation import StructureReinstated, StructureSuspended
from activateurs.shared.contracts.vocabulary import StructureStatus
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import dossiers
from .context import Deps

CONSUMER = "registration.sanctions"
S = StructureStatus
SUSPENDABLE = {S.ACCEPTED.value, S.PUBLISHED.value}


async def on_sanction(deps: Deps, event: StructureSuspended | StructureReinstated) -> bool:
    """The latest sanction event wins (compared by `occurred_at`): a late copy of an older one changes nothing."""
    now = deps.db.clock.now()
    suspend = isinstance(event, StructureSuspended)
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return False
        row = (await uow.session.execute(sa.select(dossiers).where(
            dossiers.c.structure_id == event.data.structure_id).with_for_update())).first()
        if row is None or (row.sanctioned_at is not None and event.occurred_at <= row.sanctioned_at):
            await uow.commit()
            return False
        change: dict[str, object] = {"sanctioned_at": event.occurred_at, "updated_at": now}
        if suspend and row.status in SUSPENDABLE:
            change.update(status=S.SUSPENDED.value, status_before_suspension=row.status, status_changed_at=now)
        elif not suspend and row.status == S.SUSPENDED.value:
            change.update(status=row.status_before_suspension or S.ACCEPTED.value, status_before_suspension=None,
                          status_changed_at=now)
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(**change))
        await uow.commit()
    return "status" in change
