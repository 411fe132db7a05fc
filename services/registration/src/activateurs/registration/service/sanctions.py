"""Sanctions decided by the DGE (A8): suspended until further notice, then reinstated to the previous status.
Validation sends the emails; this service only tracks the status (no profile change while suspended)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts.validation import StructureReinstated, StructureSuspended
from activateurs.shared.contracts.vocabulary import StructureStatus
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import dossiers, early_sanctions
from .context import Deps

CONSUMER = "registration.sanctions"
SUSPENDABLE = {StructureStatus.ACCEPTED.value, StructureStatus.PUBLISHED.value}


async def on_sanction(deps: Deps, event: StructureSuspended | StructureReinstated) -> bool:
    """The latest sanction event wins (compared by `occurred_at`): a late copy of an older one changes nothing."""
    now = deps.db.clock.now()
    suspend = isinstance(event, StructureSuspended)
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return False
        row = (await uow.session.execute(sa.select(dossiers).where(
            dossiers.c.structure_id == event.data.structure_id).with_for_update())).first()
        if row is None:  # the acceptance has not arrived yet (another queue): kept for it
            await uow.session.execute(_keep_latest(event.data.structure_id, suspend, event.occurred_at))
            await uow.commit()
            return False
        changed = await _sanction(uow.session, row, suspend, event.occurred_at, now)
        await uow.commit()
    return changed


def _keep_latest(structure_id: Any, suspended: bool, occurred_at: datetime) -> Any:
    statement = insert(early_sanctions).values(structure_id=structure_id, suspended=suspended,
                                               occurred_at=occurred_at)
    return statement.on_conflict_do_update(
        index_elements=[early_sanctions.c.structure_id],
        set_={"suspended": statement.excluded.suspended, "occurred_at": statement.excluded.occurred_at},
        where=statement.excluded.occurred_at > early_sanctions.c.occurred_at)


async def _sanction(session: AsyncSession, row: Any, suspend: bool, occurred_at: datetime, now: datetime) -> bool:
    """Apply a sanction to the (locked) dossier unless a later one was already applied; True if the status moved."""
    if row.sanctioned_at is not None and occurred_at <= row.sanctioned_at:
        return False
    change: dict[str, object] = {"sanctioned_at": occurred_at, "updated_at": now}
    if suspend and row.status in SUSPENDABLE:
        change.update(status=StructureStatus.SUSPENDED.value, status_before_suspension=row.status,
                      status_changed_at=now)
    elif not suspend and row.status == StructureStatus.SUSPENDED.value:
        change.update(status=row.status_before_suspension or StructureStatus.ACCEPTED.value,
                      status_before_suspension=None, status_changed_at=now)
    await session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(**change))
    return "status" in change


async def apply_early_sanction(session: AsyncSession, dossier_id: Any, structure_id: Any, now: datetime) -> None:
    """On the acceptance: the sanction that came before it, if any, applied now (the dossier is locked)."""
    early = (await session.execute(sa.delete(early_sanctions).where(early_sanctions.c.structure_id == structure_id)
                                   .returning(early_sanctions))).first()
    if early is not None:
        row = (await session.execute(sa.select(dossiers).where(dossiers.c.id == dossier_id))).one()
        await _sanction(session, row, early.suspended, early.occurred_at, now)


EARLY_KEPT = timedelta(days=30)


async def forget_early_sanctions(deps: Deps) -> int:
    """Early sanctions whose acceptance never came (the account was deleted before it arrived) are let go of
    after EARLY_KEPT: an acceptance is never that late. Returns how many."""
    async with deps.db.uow() as uow:
        result = await uow.session.execute(sa.delete(early_sanctions).where(
            early_sanctions.c.occurred_at < deps.db.clock.now() - EARLY_KEPT))
        await uow.commit()
    return result.rowcount or 0
