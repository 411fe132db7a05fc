"""Firing due deadlines: engagement reminders, the engagement lapse, the charter deadline. Any replica sweeps;
a structure's dossier is claimed with SKIP LOCKED and its due rows marked fired in the transaction writing their
effects (exactly once)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.emails import EngagementLapsedContext, EngagementReminderContext
from activateurs.shared.contracts.registration import StructureCancelled, StructureLeftData
from activateurs.shared.contracts.vocabulary import StructureStatus
from activateurs.shared.messaging.consumer import is_transient

from ..adapters.tables import charter_acceptances, deadlines, dossiers
from ..domain.engagement import CHARTER, LAPSE, REMINDER
from .context import PRODUCER, Deps
from .lifecycle import IN_PROGRAMME, _dossier_with_account, delete_account
from .mail import Recipient, email_for, structure_name
from .people import people_of

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=5)

_PENDING = sa.and_(deadlines.c.fired_at.is_(None), deadlines.c.due_at <= sa.bindparam("now"))
# The claim locks dossiers, not deadline rows: every writer of a structure's deadlines (renewal, acceptance, the
# deletion's cascade) holds its dossier lock, so one sweeper owns all of a structure's rows. Claiming deadline rows
# let two sweepers each hold part of one structure and deadlock when a lapse's cascade met the other's row.
_due_dossiers = sa.select(deadlines.c.dossier_id).where(_PENDING).distinct().subquery()
_CLAIM = (sa.select(dossiers.c.id).join(_due_dossiers, _due_dossiers.c.dossier_id == dossiers.c.id)
          .limit(sa.bindparam("batch")).with_for_update(of=dossiers, skip_locked=True))
# Read after the lock is held: a row fired by the previous holder is seen as fired.
_DUE_OF_CLAIMED = (sa.select(deadlines).where(_PENDING, deadlines.c.dossier_id.in_(sa.bindparam("claimed", expanding=True)))
                   .order_by(deadlines.c.due_at, deadlines.c.id))


def _running(row: Any, deadline: Any) -> bool:
    """The structure is in the programme and still on the engagement this deadline was scheduled for."""
    return row is not None and row.status in IN_PROGRAMME and row.engagement_expires_at is not None \
        and row.engagement_expires_at == datetime.fromisoformat(deadline.payload["engagement_expires_at"])


async def _reminder(deps: Deps, session: AsyncSession, deadline: Any, now: datetime) -> list[Event]:
    row = await _dossier_with_account(session, dossiers.c.id == deadline.dossier_id)
    # Renewed since (another end), or already over (a sweep after a long stop): nothing to remind.
    if not _running(row, deadline) or row.engagement_expires_at <= now:
        return []
    days = int(deadline.payload["days_left"])
    context = EngagementReminderContext(first_name=row.first_name, structure_name=structure_name(row.draft),
                                        engagement_expires_at=row.engagement_expires_at, days_left=days,
                                        renewal_url=deps.link("/espace/engagement"))
    key = f"registration:{row.structure_id}:engagement_reminder:{row.engagement_expires_at.isoformat()}:{days}"
    return [email_for(context, Recipient(row.account_id, row.email), key, now)]


async def cancel(deps: Deps, session: AsyncSession, row: Any, *, reason: str, now: datetime) -> list[Event]:
    """Status cancelled, profile offline everywhere (registration.structure.cancelled.v1), then the referent's
    account deleted with its members' (registration.account.deleted.v1 each)."""
    await session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
        status=StructureStatus.CANCELLED.value, status_changed_at=now, updated_at=now))
    events: list[Event] = [StructureCancelled.new(StructureLeftData(structure_id=row.structure_id, reason=reason),
                                                  producer=PRODUCER, occurred_at=now)]
    lapsed = reason == "engagement_lapsed"
    if lapsed:  # engagement_lapsed tells them; no second email about the deletion
        events += [email_for(EngagementLapsedContext(first_name=person.first_name,
                                                     structure_name=structure_name(row.draft)),
                             person, f"registration:{row.structure_id}:engagement_lapsed:{person.id}", now)
                   for person in await people_of(session, [row.id])]
    events += await delete_account(session, row.account_id, now=now, notify=not lapsed,
                                   reason="engagement_lapsed" if lapsed else "charter_not_accepted")
    return events


async def _lapse(deps: Deps, session: AsyncSession, deadline: Any, now: datetime) -> list[Event]:
    row = await _dossier_with_account(session, dossiers.c.id == deadline.dossier_id)
    if not _running(row, deadline):
        return []
    return await cancel(deps, session, row, reason="engagement_lapsed", now=now)


async def _charter(deps: Deps, session: AsyncSession, deadline: Any, now: datetime) -> list[Event]:
    row = await _dossier_with_account(session, dossiers.c.id == deadline.dossier_id)
    if row is None or row.status not in IN_PROGRAMME:
        return []
    accepted = (await session.execute(sa.select(sa.func.max(charter_acceptances.c.version)).where(
        charter_acceptances.c.account_id == row.account_id))).scalar()
    if accepted is not None and accepted >= int(deadline.payload["version"]):
        return []
    return await cancel(deps, session, row, reason="charter_not_accepted", now=now)


FIRE: dict[str, Callable[[Deps, AsyncSession, Any, datetime], Awaitable[list[Event]]]] = {
    REMINDER: _reminder, LAPSE: _lapse, CHARTER: _charter}


async def sweep(deps: Deps, *, batch: int = 20) -> int:
    """Fire every deadline due now, `batch` structures per transaction; returns how many rows were handled."""
    handled = 0
    while True:
        now = deps.db.clock.now()
        async with deps.db.uow() as uow:
            session = uow.session
            claimed = list((await session.execute(_CLAIM, {"now": now, "batch": batch})).scalars())
            rows = (await session.execute(_DUE_OF_CLAIMED, {"now": now, "claimed": claimed})).all() if claimed else []
            for deadline in rows:
                try:
                    async with session.begin_nested():  # one bad row must not hold the others back
                        await uow.add_events(await FIRE[deadline.kind](deps, session, deadline, now))
                        await session.execute(sa.update(deadlines).where(deadlines.c.id == deadline.id)
                                              .values(fired_at=now))
                except Exception as error:
                    if is_transient(error):
                        raise
                    log.error("deadline %s (%s) failed: %s; retried later", deadline.id, deadline.kind,
                              type(error).__name__)
                    await session.execute(sa.update(deadlines).where(deadlines.c.id == deadline.id).values(
                        failures=deadlines.c.failures + 1, due_at=now + RETRY_AFTER))
            await uow.commit()
        handled += len(rows)
        if len(claimed) < batch:
            return handled
