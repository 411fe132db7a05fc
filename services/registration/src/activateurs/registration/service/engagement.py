"""Re-engagement (A6): the referent renews for 24 more months from the current end, accepting the current charter."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from activateurs.shared.contracts.registration import EngagementRenewed, EngagementRenewedData
from activateurs.shared.contracts.vocabulary import StructureStatus

from ..adapters.tables import accounts, dossiers
from ..domain.engagement import add_months, renewal_opens
from .charter import record_acceptance
from .context import PRODUCER, AccountGone, Deps
from .dossier import StaleCharter, current_charter
from .lifecycle import NotInProgramme, _dossier_with_account
from .profile import PUBLIC
from .schedule import schedule_engagement


class TooEarly(Exception):
    def __init__(self, opens_at: datetime) -> None:
        super().__init__(f"renewal opens on {opens_at.date().isoformat()}")
        self.opens_at = opens_at


async def renew(deps: Deps, account_id: uuid.UUID, charter_version: int) -> datetime:
    """The new end. Raises NotInProgramme (no engagement running: not accepted, suspended, lapsed or gone),
    StaleCharter, TooEarly (*decided*: renewal opens with the first reminder, so it cannot be stacked)."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        session = uow.session
        row = await _dossier_with_account(session, dossiers.c.account_id == account_id)
        if row is None and (await session.execute(sa.select(accounts.c.id).where(accounts.c.id == account_id))
                            ).first() is None:
            raise AccountGone()  # lapsed (or otherwise deleted) since the token was issued
        if row is None or row.status not in PUBLIC or row.engagement_expires_at is None:
            status = row.status if row else StructureStatus.DRAFT.value
            raise NotInProgramme(f"no engagement to renew (the structure is {status})")
        if row.engagement_expires_at <= now:
            raise NotInProgramme("the engagement has ended: it can no longer be renewed")
        current = (await current_charter(session)).version
        if charter_version != current:
            raise StaleCharter(current)
        opens_at = renewal_opens(row.engagement_expires_at, deps.settings.renewal_window_days)
        if now < opens_at:
            raise TooEarly(opens_at)
        new_end = add_months(row.engagement_expires_at, deps.settings.engagement_months)
        await session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
            engagement_expires_at=new_end, charter_version=current, updated_at=now))
        await record_acceptance(session, account_id, current, now)
        await schedule_engagement(session, row.id, new_end, now)
        await uow.add_event(EngagementRenewed.new(EngagementRenewedData(
            structure_id=row.structure_id, engagement_expires_at=new_end), producer=PRODUCER, occurred_at=now))
        await uow.commit()
    return new_end
