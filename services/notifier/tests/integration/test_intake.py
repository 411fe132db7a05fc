"""Intake in batches: one transaction for many requests, each with the outcome it would have had alone."""

from __future__ import annotations

import sqlalchemy as sa

from activateurs.notifier.adapters.rendering import EmailRenderer
from activateurs.notifier.adapters.tables import emails
from activateurs.notifier.service.requests import Intake, prepare, store_requests
from activateurs.shared.db import Database
from activateurs.shared.messaging.tables import outbox

from ..conftest import email_request


async def test_a_batch_gets_one_outcome_per_request(databases):
    db = Database(await databases.fresh("notifier"))
    renderer = EmailRenderer()

    def prepared(request):
        return prepare(request, renderer=renderer, mail_from="A <a@example.fr>", message_id_domain="example.fr",
                       now=db.clock.now())

    fresh = email_request()
    same_key = email_request(key=fresh.data.idempotency_key)
    broken = email_request(to="nobody")
    already = email_request()
    try:
        assert await store_requests(db, [prepared(already)]) == [Intake.QUEUED]
        outcomes = await store_requests(db, [prepared(r) for r in (fresh, fresh, same_key, broken, already)])
        assert outcomes == [Intake.QUEUED, Intake.DUPLICATE, Intake.KNOWN, Intake.REJECTED, Intake.DUPLICATE]
        async with db.sessions() as session:
            statuses = dict((await session.execute(sa.select(emails.c.idempotency_key, emails.c.status))).all())
            events = (await session.execute(sa.select(outbox.c.routing_key))).scalars().all()
        assert statuses == {fresh.data.idempotency_key: "pending", broken.data.idempotency_key: "failed",
                            already.data.idempotency_key: "pending"}
        assert events == ["notifier.email.failed.v1"]
    finally:
        await db.dispose()
