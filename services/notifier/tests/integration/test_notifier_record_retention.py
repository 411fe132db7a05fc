"""Delivery records keep who got which mail for the retention period only; then just anonymous counts remain."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from activateurs.notifier.adapters.tables import emails
from activateurs.notifier.service import erasure
from tests.support.waiting import eventually

from ..conftest import email_request

ERASED = "[effacé]"
KEPT = timedelta(days=180)


async def _rows(service) -> dict[str, sa.Row]:
    async with service.database.sessions() as session:
        return {row.idempotency_key: row for row in (await session.execute(sa.select(emails))).all()}


async def _age(service, key: str, by: timedelta) -> None:
    async with service.database.uow() as uow:
        await uow.session.execute(sa.update(emails).where(emails.c.idempotency_key == key)
                                  .values(created_at=emails.c.created_at - by))
        await uow.commit()


async def test_records_older_than_the_retention_lose_recipient_and_subject(notifier, amqp, smtp):
    old, recent = email_request(to="ancien.client@example.fr"), email_request(to="client.recent@example.fr")
    for request in (old, recent):
        await amqp.publish_event(request)

    async def both_sent() -> bool:
        rows = await _rows(notifier)
        return len(rows) == 2 and {row.status for row in rows.values()} == {"sent"}

    await eventually(both_sent, what="both mails sent")
    smtp.stop()  # a third mail stays to send, however old: only done records are erased
    waiting = email_request(to="en.attente@example.fr")
    await amqp.publish_event(waiting)
    await eventually(lambda: _has(notifier, waiting.data.idempotency_key), what="the waiting mail stored")
    for key in (old.data.idempotency_key, waiting.data.idempotency_key):
        await _age(notifier, key, KEPT + timedelta(days=1))
    await _age(notifier, recent.data.idempotency_key, KEPT - timedelta(days=1))

    assert await erasure.erase_old_records(notifier.database, KEPT, batch=1) == 1
    rows = await _rows(notifier)
    erased = rows[old.data.idempotency_key]
    assert (erased.recipient, erased.subject, erased.account_id, erased.correlation_id) == (ERASED, None, None, None)
    assert (erased.status, erased.template, erased.attempts) == ("sent", old.data.template, 1)  # counts remain
    assert rows[recent.data.idempotency_key].recipient == "client.recent@example.fr"
    assert rows[waiting.data.idempotency_key].recipient == "en.attente@example.fr"
    assert not [row for row in rows.values() if "ancien.client" in " ".join(map(str, row))]
    assert await erasure.erase_old_records(notifier.database, KEPT) == 0  # nothing left to do
    smtp.start()


async def _has(service, key: str) -> bool:
    return key in await _rows(service)
