"""Erasing an account's mails when the account is deleted (GDPR): only anonymous delivery counts remain."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from activateurs.shared.contracts.registration import AccountDeleted
from activateurs.shared.db import Database
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters import repository

CONSUMER = "notifier.account-deletions"

log = logging.getLogger(__name__)


async def erase_account_mails(event: AccountDeleted, *, db: Database) -> int:
    """Mails already sent or failed are erased now; mails still to send, right after their last attempt
    (the goodbye mail of the deletion itself is one of them)."""
    async with db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, db.clock.now()):
            return 0
        erased = await repository.erase_account(uow.session, event.data.account_id, db.clock.now())
        await uow.commit()
    log.info("account deletion: %d mails erased or marked for erasure", erased)
    return erased


async def forget_old_deletions(db: Database, kept: timedelta) -> int:
    """Deleted account ids older than `kept` are let go of (ids only; by then no mail for them is in flight)."""
    async with db.uow() as uow:
        count = await repository.forget_deletions_before(uow.session, db.clock.now() - kept)
        await uow.commit()
    return count


async def run_retention(db: Database, *, kept: timedelta, interval: float = 3600.0) -> None:
    while True:
        try:
            await forget_old_deletions(db, kept)
        except Exception:
            log.warning("retention: deleted account ids not purged this time", exc_info=True)
        await asyncio.sleep(interval)
