"""What validation does when registration reports a structure leaving, an engagement renewed, an account deleted."""

from __future__ import annotations

import sqlalchemy as sa

from activateurs.shared.contracts.registration import (
    AccountDeleted,
    EngagementRenewed,
    StructureCancelled,
    StructureWithdrawn,
)
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import cases, deadlines, history, messages, revisions
from ..domain.case import GONE, StructureState
from .common import Context

CONSUMER = "validation.registration-changes"


async def structure_left(ctx: Context, event: StructureWithdrawn | StructureCancelled) -> None:
    """The structure is gone: no sanction applies any more. A strike-off already recorded stays."""
    state = StructureState.WITHDRAWN if isinstance(event, StructureWithdrawn) else StructureState.CANCELLED
    now = ctx.db.clock.now()
    async with ctx.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return
        dossier_id = (await uow.session.execute(
            sa.update(cases).where(cases.c.structure_id == event.data.structure_id,
                                   cases.c.structure_state.not_in([s.value for s in GONE]))
            .values(structure_state=state.value, updated_at=now).returning(cases.c.dossier_id))).scalar()
        if dossier_id is not None:
            await uow.session.execute(sa.insert(history).values(
                dossier_id=dossier_id, at=now, actor="registration", action=f"structure_{state.value}",
                from_status=None, to_status=state.value, reason=event.data.reason))
        await uow.commit()


async def engagement_renewed(ctx: Context, event: EngagementRenewed) -> None:
    """The later expiry wins, whatever order the renewals arrive in; a renewal that moves it is a history step."""
    now = ctx.db.clock.now()
    until = event.data.engagement_expires_at
    async with ctx.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return
        moved = (await uow.session.execute(sa.update(cases).where(
            cases.c.structure_id == event.data.structure_id,
            sa.or_(cases.c.engagement_expires_at.is_(None), cases.c.engagement_expires_at < until))
            .values(engagement_expires_at=until, updated_at=now)
            .returning(cases.c.dossier_id, cases.c.structure_state))).first()
        if moved is not None:
            await uow.session.execute(sa.insert(history).values(
                dossier_id=moved.dossier_id, at=now, actor="registration", action="engagement_renewed",
                from_status=moved.structure_state, to_status=moved.structure_state,
                reason=f"engagement until {until.date().isoformat()}"))
        await uow.commit()


async def account_deleted(ctx: Context, event: AccountDeleted) -> int:
    """Erase what this service holds about the person: their cases, snapshots, thread, history and deadlines.

    Only the audit log stays (records the law requires; they name agents and ids, not the applicant).
    """
    now = ctx.db.clock.now()
    async with ctx.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return 0
        ids = (await uow.session.execute(sa.select(cases.c.dossier_id).where(
            cases.c.account_id == event.data.account_id).with_for_update())).scalars().all()
        if ids:
            for table in (revisions, messages, history, deadlines):
                await uow.session.execute(sa.delete(table).where(table.c.dossier_id.in_(ids)))
            await uow.session.execute(sa.delete(cases).where(cases.c.dossier_id.in_(ids)))
        await uow.commit()
    return len(ids)
