"""The 3-month rule with the clock moved: reminders, expiry, no expiry once answered, each fired once across replicas."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import sqlalchemy as sa

from activateurs.shared.db import Database
from activateurs.shared.messaging.tables import outbox
from activateurs.validation.adapters.tables import deadlines
from activateurs.validation.service.common import Context
from activateurs.validation.service.deadlines import fire_due
from tests.support.waiting import eventually, stays

from ..conftest import START, submitted


async def _awaiting(validation, amqp, issuer, count=1):
    """`count` cases waiting for their applicant since START."""
    dge = issuer.headers("dge_agent")
    events = [submitted() for _ in range(count)]
    for event in events:
        await amqp.publish_event(event)

    async def all_stored():
        return (await validation.http.get("/api/v1/dossiers", headers=dge)).json()["total"] == count

    await eventually(all_stored, what=f"{count} cases")
    for event in events:
        response = await validation.http.post(f"/api/v1/dossiers/{event.data.dossier_id}/messages", headers=dge,
                                              json={"body": "Merci de préciser vos références.",
                                                    "requests_information": True})
        assert response.status_code == 201
    return events


async def _outbox(validation, routing_key):
    async with validation.db.sessions() as session:
        rows = (await session.execute(sa.select(outbox.c.payload).where(outbox.c.routing_key == routing_key)
                                      .order_by(outbox.c.id))).scalars().all()
    return [json.loads(row)["data"] for row in rows]


async def _reminders(validation):
    return [(m["template"], m["context"]["final"]) for m in
            await _outbox(validation, "notifier.email.requested.v1") if m["template"] == "information_reminder"]


async def _status(validation, issuer, dossier_id):
    response = await validation.http.get(f"/api/v1/dossiers/{dossier_id}", headers=issuer.headers("dge_agent"))
    return response.json()["status"]


async def test_reminders_then_expiry_after_three_months(validation, amqp, issuer):
    (event,) = await _awaiting(validation, amqp, issuer)
    listened = await amqp.listen("validation.dossier.expired.v1")

    validation.clock.set(START + timedelta(days=29))  # 2 May minus a day: nothing due yet
    validation.wake_sweeper()
    await stays(lambda: _no_reminder(validation), seconds=0.5, what="no reminder before a month")

    validation.clock.set(START.replace(month=5))  # one month after the request
    validation.wake_sweeper()
    await eventually(lambda: _has(validation, [("information_reminder", False)]), what="the first reminder")

    validation.clock.set(START.replace(month=7) - timedelta(days=14))  # 14 days before the end
    validation.wake_sweeper()
    await eventually(lambda: _has(validation, [("information_reminder", False), ("information_reminder", True)]),
                     what="the final reminder")
    assert await _status(validation, issuer, event.data.dossier_id) == "awaiting_applicant"

    validation.clock.set(START.replace(month=7))  # 3 calendar months
    validation.wake_sweeper()
    expired = await eventually(lambda: listened, what="the expired event")
    assert expired[0].body["data"] == {"dossier_id": str(event.data.dossier_id),
                                       "account_id": str(event.data.account_id)}
    assert await _status(validation, issuer, event.data.dossier_id) == "expired"
    reminder = [m for m in await _outbox(validation, "notifier.email.requested.v1")
                if m["template"] == "information_reminder"][0]
    assert reminder["context"]["respond_by"] == "2026-07-02T08:00:00Z"
    assert reminder["context"]["dossier_url"] == "https://activateurs.example.fr/mon-dossier"
    late = await validation.http.post("/api/v1/my-dossier/messages", json={"body": "Pardon, voici"},
                                      headers=issuer.headers("activator", subject=str(event.data.account_id)))
    assert late.status_code == 409
    audit = (await validation.http.get("/api/v1/audit-log", params={"subject_id": str(event.data.dossier_id)},
                                       headers=issuer.headers("dge_agent"))).json()["items"]
    assert [r["action"] for r in audit] == ["information_requested", "dossier_expired"]


async def _no_reminder(validation):
    return await _reminders(validation) == []


async def _has(validation, expected):
    return await _reminders(validation) == expected


async def test_no_expiry_once_the_applicant_answered_or_resubmitted(validation, amqp, issuer):
    answered, resubmitted = await _awaiting(validation, amqp, issuer, count=2)
    listened = await amqp.listen("validation.dossier.expired.v1")
    reply = await validation.http.post("/api/v1/my-dossier/messages", json={"body": "Voici mes références."},
                                       headers=issuer.headers("activator", subject=str(answered.data.account_id)))
    assert reply.status_code == 201
    await amqp.publish_event(submitted(dossier_id=resubmitted.data.dossier_id, revision=2,
                                       account_id=resubmitted.data.account_id))

    async def back_to_review():
        return await _status(validation, issuer, resubmitted.data.dossier_id) == "to_review"

    await eventually(back_to_review, what="the resubmission back in review")
    async with validation.db.sessions() as session:
        open_deadlines = (await session.execute(sa.select(sa.func.count()).select_from(deadlines).where(
            deadlines.c.cancelled_at.is_(None)))).scalar_one()
    assert open_deadlines == 0

    validation.clock.set(START + timedelta(days=200))
    validation.wake_sweeper()
    await stays(lambda: not listened, seconds=1.0, what="no expiry")
    assert await _reminders(validation) == []
    assert {await _status(validation, issuer, e.data.dossier_id) for e in (answered, resubmitted)} == {"to_review"}


async def test_each_deadline_fires_once_with_several_sweepers(validation, amqp, issuer):
    count = 12
    await _awaiting(validation, amqp, issuer, count=count)
    # Two more "replicas" of the sweeper beside the service's own, all on the same database.
    others = [Database(validation.db.url, clock=validation.clock, pool_size=4) for _ in range(2)]
    try:
        contexts = [Context(db=db, emails=validation.service.settings.emails,
                            public_base_url="https://activateurs.example.fr") for db in others]
        validation.clock.set(START + timedelta(days=120))
        validation.wake_sweeper()
        await asyncio.gather(*(fire_due(ctx, limit=5) for ctx in contexts for _ in range(4)))

        async def all_fired():
            async with validation.db.sessions() as session:
                return (await session.execute(sa.select(sa.func.count()).select_from(deadlines).where(
                    deadlines.c.fired_at.is_(None)))).scalar_one() == 0

        await eventually(all_fired, what="every deadline fired")
    finally:
        for db in others:
            await db.dispose()
    expired = await _outbox(validation, "validation.dossier.expired.v1")
    assert len(expired) == count and len({e["dossier_id"] for e in expired}) == count
    # Never twice: a reminder that lost the race to its own expiry is simply not sent.
    keys = [m["idempotency_key"] for m in await _outbox(validation, "notifier.email.requested.v1")
            if m["template"] == "information_reminder"]
    assert len(keys) == len(set(keys)) <= 2 * count
