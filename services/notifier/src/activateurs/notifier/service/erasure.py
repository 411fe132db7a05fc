"""Erasing an account's mails when the account is deleted (GDPR): only anonymous delivery counts remain."""

from __future__ import annotations

import logging

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
        erased = await repository.erase_account(uow.session, event.data.account_id)
        await uow.commit()
    log.info("account deletion: %d mails erased or marked for erasure", erased)
    return erased
