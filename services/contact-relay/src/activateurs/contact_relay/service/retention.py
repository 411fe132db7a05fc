"""Retention: a business's personal data is erased from requests older than the retention period (GDPR)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from activateurs.shared.db import Database

from ..adapters import routing
from ..adapters.tables import contact_requests as r

# Deleted account ids (no personal data) are remembered this long: far beyond any event's delay.
DELETED_ACCOUNTS_KEPT = timedelta(days=30)

# What identifies the business or says what it wrote; statuses and instants stay, for the statistics.
_ERASED = {"company_name": "", "contact_name": "", "email": "", "phone": None, "siret": None, "message": "",
           "redirect_note": None}


def cutoff(now: datetime, months: int) -> datetime:
    """`months` calendar months before `now` (approximated as 30.44 days: a purge a day late is harmless)."""
    return now - timedelta(days=round(months * 30.44))


async def purge(db: Database, months: int, batch: int = 1000) -> int:
    """Erase in batches (rows claimed with SKIP LOCKED, so replicas share the work); returns how many."""
    total = 0
    while True:
        now = db.clock.now()
        async with db.uow() as uow:
            ids = (sa.select(r.c.id).where(r.c.purged_at.is_(None), r.c.received_at < cutoff(now, months))
                   .limit(batch).with_for_update(skip_locked=True).scalar_subquery())
            result = await uow.session.execute(sa.update(r).where(r.c.id.in_(ids)).values(**_ERASED, purged_at=now))
            await uow.commit()
        total += result.rowcount
        if result.rowcount < batch:
            return total


async def forget_old_deletions(db: Database) -> int:
    """Deleted account ids past DELETED_ACCOUNTS_KEPT are let go of; returns how many."""
    async with db.uow() as uow:
        count = await routing.purge_deleted_accounts(uow.session, db.clock.now() - DELETED_ACCOUNTS_KEPT)
        await uow.commit()
    return count
