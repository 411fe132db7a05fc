"""Re-engagement (A6) and charter changes (A6, DOMAIN 10): deadline rows fired by the sweeper as the clock moves,
exactly once even with two service instances on one database; renewal; the charter deadline."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

from activateurs.registration.adapters.tables import accounts, deadlines, dossiers
from activateurs.registration.service.deadlines import sweep
from activateurs.shared.clock import ManualClock
from activateurs.shared.contracts.registration import AccountDeleted
from activateurs.shared.contracts.validation import CharterPublished, CharterPublishedData
from activateurs.shared.messaging.tables import inbox
from tests.support.waiting import eventually

from ..conftest import accept, invite_member, submitted_structure

ENGAGEMENT = timedelta(days=730)
FAST = {"deadline_sweep_seconds": 0.1}


async def reminders(registration, email=None):
    return [m["context"]["days_left"] for m in await registration.emails("engagement_reminder", email)]


async def accepted_structure(registration, amqp):
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id, expires_in=ENGAGEMENT)
    return email, headers, structure_id, account_id


async def test_reminders_60_30_and_7_days_before_then_the_lapse(start_registration, amqp):
    registration = await start_registration(**FAST)
    email, headers, structure_id, account_id = await accepted_structure(registration, amqp)
    member_email, member = await invite_member(registration, headers)
    member_id = (await registration.client.get("/api/v1/me", headers=member)).json()["id"]
    end = registration.clock.now() + ENGAGEMENT

    registration.clock.set(end - timedelta(days=60, seconds=1))
    assert await sweep(registration.deps) == 0
    assert await reminders(registration) == []
    for days, expected in ((60, [60]), (30, [60, 30]), (7, [60, 30, 7])):
        registration.clock.set(end - timedelta(days=days) + timedelta(seconds=1))
        await eventually(lambda expected=expected: _equal(reminders(registration, email), expected),
                         what=f"reminder {days} days before")
    last = (await registration.emails("engagement_reminder", email))[-1]
    assert last["context"]["renewal_url"] == "https://activateurs.test.fr/espace/engagement"
    assert datetime.fromisoformat(last["context"]["engagement_expires_at"]) == end
    assert await registration.emails("engagement_reminder", member_email) == []  # the referent renews

    registration.clock.set(end + timedelta(seconds=1))

    async def cancelled():
        return await registration.outbox("registration.structure.cancelled.v1")

    [event] = await eventually(cancelled, what="registration.structure.cancelled.v1")
    assert event["data"] == {"structure_id": str(structure_id), "reason": "engagement_lapsed"}
    deleted = {e["data"]["account_id"] for e in await registration.outbox(AccountDeleted.routing_key)}
    assert deleted == {str(account_id), member_id}
    assert {m["to"] for m in await registration.emails("engagement_lapsed")} == {email, member_email}
    assert await registration.emails("account_deleted") == []  # engagement_lapsed says it
    assert (await registration.login(email)).status_code == 401
    assert (await registration.login(member_email)).status_code == 401
    # Later sweeps find nothing more to do.
    assert await sweep(registration.deps) == 0
    assert len(await registration.outbox("registration.structure.cancelled.v1")) == 1


async def _equal(found, expected) -> bool:
    return await found == expected


async def test_renewal_extends_by_24_months_and_reschedules_the_reminders(registration, amqp):
    email, headers, structure_id, _ = await accepted_structure(registration, amqp)
    end = registration.clock.now() + ENGAGEMENT
    renew = "/api/v1/engagement/renewal"
    too_early = await registration.client.post(renew, headers=headers, json={"charter_version": 1})
    assert too_early.status_code == 409 and "opens" in too_early.json()["detail"]
    for bad in ({}, {"charter_version": 0}, {"charter_version": "un"}):
        assert (await registration.client.post(renew, headers=headers, json=bad)).status_code == 422

    registration.clock.set(end - timedelta(days=59))
    headers = await registration.headers(email)
    await sweep(registration.deps)  # the 60-day reminder
    assert await reminders(registration) == [60]
    stale = await registration.client.post(renew, headers=headers, json={"charter_version": 2})
    assert stale.status_code == 409 and "current" in stale.json()["detail"]
    answer = await registration.client.post(renew, headers=headers, json={"charter_version": 1})
    assert answer.status_code == 200, answer.text
    new_end = datetime.fromisoformat(answer.json()["engagement_expires_at"])
    assert new_end == end.replace(year=end.year + 2)
    [event] = await registration.outbox("registration.engagement.renewed.v1")
    assert event["data"]["structure_id"] == str(structure_id)
    assert datetime.fromisoformat(event["data"]["engagement_expires_at"]) == new_end
    me = (await registration.client.get("/api/v1/me", headers=headers)).json()
    assert datetime.fromisoformat(me["structure"]["engagement_expires_at"]) == new_end

    # The old end passes without a lapse; the old reminders are gone, the new ones come before the new end.
    registration.clock.set(end + timedelta(days=1))
    await sweep(registration.deps)
    assert await reminders(registration) == [60]
    assert not await registration.outbox("registration.structure.cancelled.v1")
    registration.clock.set(new_end - timedelta(days=60) + timedelta(seconds=1))
    await sweep(registration.deps)
    assert await reminders(registration) == [60, 60]
    latest = (await registration.emails("engagement_reminder"))[-1]["context"]
    assert datetime.fromisoformat(latest["engagement_expires_at"]) == new_end

    # Past the end (even before the sweeper has run), the engagement can no longer be renewed.
    registration.clock.set(new_end + timedelta(seconds=1))
    headers = await registration.headers(email)
    late = await registration.client.post(renew, headers=headers, json={"charter_version": 1})
    assert late.status_code == 409
    await sweep(registration.deps)
    assert len(await registration.outbox("registration.structure.cancelled.v1")) == 1
    assert (await registration.client.post(renew, headers=headers, json={"charter_version": 1})).status_code == 401


async def test_two_sweepers_on_one_database_fire_each_deadline_exactly_once(start_registration, databases, amqp):
    clock = ManualClock()
    url = await databases.fresh("registration")
    first = await start_registration(database_url=url, clock=clock, **FAST)
    second = await start_registration(database_url=url, clock=clock, **FAST)
    structures = [await accepted_structure(first, amqp) for _ in range(3)]
    end = clock.now() + ENGAGEMENT

    async def race() -> None:
        # Both instances' background loops run too: four explicit sweeps race with them.
        await asyncio.gather(*(sweep(instance.deps, batch=1) for instance in (first, second, first, second)))

    clock.set(end - timedelta(days=60) + timedelta(seconds=1))
    await race()
    await eventually(lambda: _equal(reminders(first), [60, 60, 60]), what="one 60-day reminder per structure")
    clock.set(end + timedelta(seconds=1))
    await race()

    async def all_cancelled():
        return len(await first.outbox("registration.structure.cancelled.v1")) == 3

    await eventually(all_cancelled, what="three structures cancelled")
    await race()
    assert Counter(e["data"]["structure_id"] for e in await first.outbox("registration.structure.cancelled.v1")) \
        == Counter({str(structure_id): 1 for _, _, structure_id, _ in structures})
    assert sorted(await reminders(first)) == [60, 60, 60]
    assert Counter(m["to"] for m in await first.emails("engagement_lapsed")) == \
        Counter({email: 1 for email, _, _, _ in structures})
    assert len(await first.outbox(AccountDeleted.routing_key)) == 3
    async with first.db.sessions() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(accounts))).scalar() == 0
        assert (await session.execute(sa.select(sa.func.count()).select_from(deadlines))).scalar() == 0  # cascaded


async def test_a_sweep_passes_over_a_structure_held_elsewhere_and_fires_it_once_released(registration, amqp):
    # Claiming structures, not deadline rows: while another transaction (a renewal, the other replica) holds the
    # dossier, a sweep neither waits for it nor takes part of its rows; the lapse's cascade then meets no one.
    email, _, structure_id, _ = await accepted_structure(registration, amqp)
    registration.clock.set(registration.clock.now() + ENGAGEMENT + timedelta(seconds=1))  # 3 reminders + lapse due
    async with registration.db.sessions() as holder, holder.begin():
        await holder.execute(sa.select(dossiers.c.id).where(dossiers.c.structure_id == structure_id)
                             .with_for_update())
        assert await asyncio.wait_for(sweep(registration.deps, batch=1), timeout=10) == 0
    assert await sweep(registration.deps, batch=1) == 4
    [event] = await registration.outbox("registration.structure.cancelled.v1")
    assert event["data"] == {"structure_id": str(structure_id), "reason": "engagement_lapsed"}
    assert await reminders(registration) == []  # the end has passed: no reminder of it
    assert [m["to"] for m in await registration.emails("engagement_lapsed")] == [email]


async def test_a_new_charter_must_be_accepted_by_the_deadline(registration, amqp):
    kept_email, kept, kept_structure, _ = await accepted_structure(registration, amqp)
    member_email, member = await invite_member(registration, kept)
    lost_email, lost, lost_structure, lost_account = await accepted_structure(registration, amqp)
    draft_email = await registration.signup()  # not in the programme: not asked
    deadline = registration.clock.now() + timedelta(days=60)
    published = CharterPublished.new(CharterPublishedData(version=2, text="Charte v2", acceptance_deadline=deadline),
                                     producer="validation", occurred_at=registration.clock.now())
    again = CharterPublished.new(published.data, producer="validation", occurred_at=registration.clock.now())
    for event in (published, published, again):  # redelivered, and published twice: one effect
        await amqp.publish_event(event)

    async def asked():
        return sorted(m["to"] for m in await registration.emails("charter_to_accept"))

    await eventually(lambda: _equal(asked(), sorted([kept_email, member_email, lost_email])), what="charter emails")
    await eventually(lambda: _processed(registration, again.event_id), what="the second publication handled")
    assert await asked() == sorted([kept_email, member_email, lost_email])
    assert (await registration.client.get("/api/v1/charter")).json()["version"] == 2
    mail = (await registration.emails("charter_to_accept", kept_email))[0]["context"]
    assert mail["charter_version"] == 2 and mail["charter_url"] == "https://activateurs.test.fr/charte"
    assert datetime.fromisoformat(mail["acceptance_deadline"]) == deadline
    assert not await registration.emails("charter_to_accept", draft_email)

    acceptance = "/api/v1/charter/acceptance"
    assert (await registration.client.post(acceptance, headers=kept, json={"charter_version": 1})).status_code == 409
    accepted = await registration.client.post(acceptance, headers=kept, json={"charter_version": 2})
    assert accepted.status_code == 200 and accepted.json()["charter_version"] == 2
    again_accepted = await registration.client.post(acceptance, headers=kept, json={"charter_version": 2})
    assert again_accepted.json()["accepted_at"] == accepted.json()["accepted_at"]  # idempotent
    assert (await registration.client.post(acceptance, headers=member, json={"charter_version": 2})).status_code \
        == 200
    me = (await registration.client.get("/api/v1/me", headers=kept)).json()
    assert me["charter_version_accepted"] == 2

    registration.clock.set(deadline - timedelta(seconds=1))
    assert await sweep(registration.deps) == 0
    registration.clock.set(deadline + timedelta(seconds=1))
    await sweep(registration.deps)
    [cancelled] = await registration.outbox("registration.structure.cancelled.v1")
    assert cancelled["data"] == {"structure_id": str(lost_structure), "reason": "charter_not_accepted"}
    assert [e["data"]["account_id"] for e in await registration.outbox(AccountDeleted.routing_key)] == \
        [str(lost_account)]
    assert [m["context"]["reason"] for m in await registration.emails("account_deleted", lost_email)] == \
        ["charter_not_accepted"]
    headers = await registration.headers(kept_email)
    me = (await registration.client.get("/api/v1/me", headers=headers)).json()
    assert me["structure"]["structure_id"] == str(kept_structure) and me["structure"]["status"] == "accepted"
    assert (await registration.login(lost_email)).status_code == 401


async def _processed(registration, event_id) -> bool:
    async with registration.db.sessions() as session:
        return bool((await session.execute(sa.select(sa.func.count()).select_from(inbox).where(
            inbox.c.event_id == event_id))).scalar())


async def test_a_deadline_that_cannot_be_fired_holds_no_other_back(registration, amqp):
    email, *_ = await accepted_structure(registration, amqp)
    end = registration.clock.now() + ENGAGEMENT
    async with registration.db.uow() as uow:
        dossier_id = (await uow.session.execute(sa.select(deadlines.c.dossier_id))).scalars().first()
        await uow.session.execute(sa.insert(deadlines).values(
            dossier_id=dossier_id, kind="unknown_kind", due_at=end - timedelta(days=90), payload={},
            created_at=registration.clock.now()))
        await uow.commit()
    registration.clock.set(end - timedelta(days=60) + timedelta(seconds=1))
    await sweep(registration.deps, batch=1)
    assert await reminders(registration, email) == [60]
    async with registration.db.sessions() as session:
        poison = (await session.execute(sa.select(deadlines).where(deadlines.c.kind == "unknown_kind"))).one()
    assert poison.fired_at is None and poison.failures == 1 and poison.due_at > registration.clock.now()
