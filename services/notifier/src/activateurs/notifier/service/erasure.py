"""Erasing mails' personal data (GDPR): an account's when it is deleted, everyone's after the retention period;
only anonymous delivery counts remain."""

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


async def erase_old_records(db: Database, kept: timedelta, *, batch: int = 1000) -> int:
    """Delivery records older than `kept` lose their recipient and subject, in batches (short transactions
    beside the sender's); returns how many."""
    cutoff, erased = db.clock.now() - kept, 0
    while True:
        async with db.uow() as uow:
            count = await repository.erase_records_before(uow.session, cutoff, batch)
            await uow.commit()
        erased += count
        if count < batch:
            return erased


async def run_retention(db: Database, *, deletions_kept: timedelta, records_kept: timedelta,
                        interval: float = 3600.0) -> None:
    while True:
        try:
            await forget_old_deletions(db, deletions_kept)
            erased = await erase_old_records(db, records_kept)
            if erased:
                log.info("retention: %d delivery records erased", erased)
        except Exception:
            log.warning("retention: not done this time", exc_info=True)
        await asyncio.sleep(interval)
