"""Event consumers of the notifier: email requests, and account deletions (erasure)."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.registration import AccountDeleted
from activateurs.shared.db import Database
from activateurs.shared.messaging.batching import GroupCommitter
from activateurs.shared.messaging.consumer import retry_transient, subscribe
from activateurs.shared.messaging.topology import QueueSpec

from ..adapters.rendering import EmailRenderer
from ..service.erasure import erase_account_mails
from ..service.requests import Intake, PreparedEmail, prepare, store_requests
from ..service.sending import Sender

EMAIL_REQUESTS = QueueSpec("notifier.email-requests", (EmailRequested.routing_key,))
ACCOUNT_DELETIONS = QueueSpec("notifier.account-deletions", (AccountDeleted.routing_key,))
QUEUES = (EMAIL_REQUESTS, ACCOUNT_DELETIONS)


def register_consumers(broker: RabbitBroker, *, db: Database, renderer: EmailRenderer, sender: Sender,
                       mail_from: str, message_id_domain: str) -> list[Any]:
    subscriber = subscribe(broker, EMAIL_REQUESTS, prefetch=64, title=EMAIL_REQUESTS.name)
    intake: GroupCommitter[PreparedEmail, Intake] = GroupCommitter(lambda batch: store_requests(db, batch))

    @subscriber
    @retry_transient()
    async def on_email_requested(request: EmailRequested) -> None:
        """Store the requested email once (idempotency key) and wake the sender."""
        prepared = prepare(request, renderer=renderer, mail_from=mail_from, message_id_domain=message_id_domain,
                           now=db.clock.now())
        if await intake.submit(prepared) is Intake.QUEUED:
            sender.wake()

    deletions = subscribe(broker, ACCOUNT_DELETIONS, title=ACCOUNT_DELETIONS.name)

    @deletions
    @retry_transient()
    async def on_account_deleted(event: AccountDeleted) -> None:
        """Erase the deleted account's mails (recipient, subject, message)."""
        await erase_account_mails(event, db=db)

    return [subscriber, deletions]
