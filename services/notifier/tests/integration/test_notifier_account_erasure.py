"""An account's deletion erases its mails whichever arrives first: the deletion or the mail (two queues)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.notifier.adapters.tables import deleted_accounts, emails
from activateurs.notifier.service import erasure
from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.registration import AccountDeleted, AccountDeletedData
from tests.support.waiting import eventually

from ..conftest import email_request

ERASED = "[effacé]"


def _deletion(account_id: uuid.UUID) -> AccountDeleted:
    return AccountDeleted.new(AccountDeletedData(account_id=account_id), producer="registration",
                              occurred_at=SystemClock().now())


async def _rows(service) -> list[sa.Row]:
    async with service.database.sessions() as session:
        return list((await session.execute(sa.select(emails))).all())


async def _row(service, key: str) -> sa.Row | None:
    return next((row for row in await _rows(service) if row.idempotency_key == key), None)


async def _deleted(service, account_id: uuid.UUID) -> bool:
    async with service.database.sessions() as session:
        return (await session.execute(sa.select(deleted_accounts.c.account_id)
                                      .where(deleted_accounts.c.account_id == account_id))).first() is not None


async def _status(service, key: str, status: str) -> bool:
    row = await _row(service, key)
    return row is not None and row.status == status


def _traces(rows: list[sa.Row], address: str) -> list[sa.Row]:
    return [row for row in rows if address in " ".join(map(str, row))]


async def test_goodbye_mail_requested_after_the_deletion_is_sent_then_erased(notifier, amqp, smtp):
    account_id = uuid.uuid4()
    await amqp.publish_event(_deletion(account_id))
    await eventually(lambda: _deleted(notifier, account_id), what="the deletion processed first")

    goodbye = email_request(to="leaving@example.fr", account_id=account_id, template="account_deleted")
    other = email_request(to="staying@example.fr", account_id=uuid.uuid4())
    await amqp.publish_event(goodbye)
    await amqp.publish_event(other)
    await eventually(lambda: _status(notifier, goodbye.data.idempotency_key, "sent"), what="the goodbye mail sent")
    await eventually(lambda: _status(notifier, other.data.idempotency_key, "sent"), what="the other mail sent")

    assert sorted(r for mail in smtp.mails for r in mail.recipients) == ["leaving@example.fr", "staying@example.fr"]
    row = await _row(notifier, goodbye.data.idempotency_key)
    assert (row.recipient, row.subject, row.account_id, row.raw_message) == (ERASED, None, None, None)
    assert _traces(await _rows(notifier), "leaving@example.fr") == []
    assert (await _row(notifier, other.data.idempotency_key)).recipient == "staying@example.fr"


async def test_mail_stored_before_the_deletion_is_sent_then_erased(notifier, amqp, smtp):
    account_id = uuid.uuid4()
    smtp.stop()  # the mail waits in the notifier when the deletion arrives
    goodbye = email_request(to="leaving@example.fr", account_id=account_id, template="account_deleted")
    await amqp.publish_event(goodbye)
    await eventually(lambda: _row(notifier, goodbye.data.idempotency_key), what="the goodbye mail stored")
    await amqp.publish_event(_deletion(account_id))
    await eventually(lambda: _deleted(notifier, account_id), what="the deletion processed")
    assert (await _row(notifier, goodbye.data.idempotency_key)).recipient == "leaving@example.fr"  # still to send

    smtp.start()
    await eventually(lambda: _status(notifier, goodbye.data.idempotency_key, "sent"), timeout=20,
                     what="the goodbye mail sent")
    assert [mail.recipients for mail in smtp.mails] == [("leaving@example.fr",)]
    assert _traces(await _rows(notifier), "leaving@example.fr") == []


async def test_a_rejected_mail_of_a_deleted_account_is_erased_at_once(notifier, amqp, smtp):
    account_id = uuid.uuid4()
    await amqp.publish_event(_deletion(account_id))
    await eventually(lambda: _deleted(notifier, account_id), what="the deletion processed")
    rejected = email_request(to="leaving@example.fr", account_id=account_id, template="no_such_template", context={"x": 1})
    await amqp.publish_event(rejected)
    await eventually(lambda: _status(notifier, rejected.data.idempotency_key, "failed"), what="the mail rejected")
    assert _traces(await _rows(notifier), "leaving@example.fr") == []


async def test_deletions_racing_their_mails_leave_no_address_whatever_the_order(notifier, amqp, smtp):
    accounts = {uuid.uuid4(): f"racer{i}@example.fr" for i in range(12)}
    requests = [email_request(to=address, account_id=account_id, template="account_deleted")
                for account_id, address in accounts.items()]
    messages = [*requests, *(_deletion(account_id) for account_id in accounts)]
    random.shuffle(messages)
    await asyncio.gather(*(amqp.publish_event(message) for message in messages))

    async def all_sent() -> bool:
        rows = await _rows(notifier)
        return len(rows) == len(requests) and all(row.status == "sent" for row in rows)

    await eventually(all_sent, timeout=30, what="every mail sent")
    for account_id in accounts:
        await eventually(lambda a=account_id: _deleted(notifier, a), what="every deletion processed")
    assert len(smtp.mails) == len(requests)
    rows = await _rows(notifier)
    assert {row.recipient for row in rows} == {ERASED}
    assert [row for row in rows if row.account_id is not None or row.subject is not None] == []


async def test_deleted_account_ids_are_let_go_of_after_their_retention(notifier, amqp):
    account_id = uuid.uuid4()
    await amqp.publish_event(_deletion(account_id))
    await eventually(lambda: _deleted(notifier, account_id), what="the deletion processed")
    assert await erasure.forget_old_deletions(notifier.database, timedelta(days=30)) == 0
    assert await _deleted(notifier, account_id)
    # Kept "minus a day": as if the retention had run out a day ago.
    assert await erasure.forget_old_deletions(notifier.database, timedelta(days=-1)) == 1
    assert not await _deleted(notifier, account_id)
