"""Life in the programme driven by other services' events: the annual questionnaire, sanctions (suspended and
reinstated), and the directory's first publication (`profile_published` once)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.registration.adapters.tables import early_sanctions
from activateurs.registration.service.sanctions import EARLY_KEPT, forget_early_sanctions
from activateurs.shared.contracts.directory import PublicationData, StructurePublished
from activateurs.shared.contracts.validation import (
    DossierAccepted,
    DossierAcceptedData,
    QuestionnaireLaunched,
    QuestionnaireLaunchedData,
    SanctionData,
    StructureReinstated,
    StructureSuspended,
)
from activateurs.shared.messaging.tables import inbox
from tests.support.waiting import eventually

from ..conftest import a_profile, accept, invite_member, submitted_structure


async def processed(registration, event) -> bool:
    async with registration.db.sessions() as session:
        return bool((await session.execute(sa.select(sa.func.count()).select_from(inbox).where(
            inbox.c.event_id == event.event_id))).scalar())


async def status(registration, headers) -> str:
    return (await registration.client.get("/api/v1/me", headers=headers)).json()["structure"]["status"]


async def test_every_active_member_gets_the_questionnaire_once_per_campaign(registration, amqp):
    referent, headers, dossier_id, account_id = await submitted_structure(registration)
    await accept(registration, amqp, dossier_id, account_id)
    member_email, _ = await invite_member(registration, headers)
    applicant, *_ = await submitted_structure(registration)  # not (yet) in the programme
    campaign = uuid.uuid4()
    launched = QuestionnaireLaunched.new(QuestionnaireLaunchedData(
        campaign_id=campaign, year=2026, url="https://questionnaire.francenum.gouv.fr/2026"),
        producer="validation", occurred_at=registration.clock.now())
    await amqp.publish_event(launched)
    await amqp.publish_event(launched)  # redelivered
    marker = QuestionnaireLaunched.new(QuestionnaireLaunchedData(
        campaign_id=uuid.uuid4(), year=2027, url="https://questionnaire.francenum.gouv.fr/2027"),
        producer="validation", occurred_at=registration.clock.now())
    await amqp.publish_event(marker)  # after both copies on the same queue
    await eventually(lambda: processed(registration, marker), what="the later campaign handled")

    mails = [m for m in await registration.emails("questionnaire") if m["context"]["year"] == 2026]
    assert sorted(m["to"] for m in mails) == sorted([referent, member_email])
    assert {m["context"]["questionnaire_url"] for m in mails} == {"https://questionnaire.francenum.gouv.fr/2026"}
    assert len({m["idempotency_key"] for m in mails}) == 2
    assert all(str(campaign) in m["idempotency_key"] for m in mails)
    assert not await registration.emails("questionnaire", applicant)


async def test_a_suspended_structure_cannot_change_its_profile_until_reinstated(registration, amqp):
    _, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id)
    now = registration.clock.now()
    patch = {"structure": {"description": "Nouvelle offre"}}
    suspended = StructureSuspended.new(SanctionData(structure_id=structure_id, reason="Plaintes"),
                                       producer="validation", occurred_at=now + timedelta(minutes=1))
    await amqp.publish_event(suspended)
    await amqp.publish_event(suspended)
    await eventually(lambda: _is(registration, headers, "suspended"), what="suspended")
    answer = await registration.client.patch("/api/v1/profile", headers=headers, json=patch)
    assert answer.status_code == 409 and "suspended" in answer.json()["detail"]
    assert (await registration.client.post("/api/v1/engagement/renewal", headers=headers,
                                           json={"charter_version": 1})).status_code == 409

    # A late reinstatement from before the suspension changes nothing.
    older = StructureReinstated.new(SanctionData(structure_id=structure_id, reason="ancienne levée"),
                                    producer="validation", occurred_at=now + timedelta(seconds=30))
    await amqp.publish_event(older)
    await eventually(lambda: processed(registration, older), what="the older reinstatement handled")
    assert await status(registration, headers) == "suspended"

    reinstated = StructureReinstated.new(SanctionData(structure_id=structure_id, reason="Levée"),
                                         producer="validation", occurred_at=now + timedelta(minutes=2))
    await amqp.publish_event(reinstated)
    await eventually(lambda: _is(registration, headers, "accepted"), what="reinstated to accepted")
    assert (await registration.client.patch("/api/v1/profile", headers=headers, json=patch)).status_code == 202
    # Validation sends the sanction emails, not this service.
    assert not await registration.emails("structure_suspended")
    assert not await registration.emails("structure_reinstated")


async def test_a_published_structure_is_reinstated_as_published(registration, amqp):
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id)
    now = registration.clock.now()
    await amqp.publish_event(_published(structure_id, now))
    await eventually(lambda: _is(registration, headers, "published"), what="published")
    await amqp.publish_event(StructureSuspended.new(SanctionData(structure_id=structure_id, reason="r"),
                                                    producer="validation", occurred_at=now + timedelta(minutes=1)))
    await eventually(lambda: _is(registration, headers, "suspended"), what="suspended")
    await amqp.publish_event(StructureReinstated.new(SanctionData(structure_id=structure_id, reason="r"),
                                                     producer="validation", occurred_at=now + timedelta(minutes=2)))
    await eventually(lambda: _is(registration, headers, "published"), what="back to published")


def _published(structure_id, at) -> StructurePublished:
    return StructurePublished.new(PublicationData(
        structure_id=structure_id, slug="numerique-et-co", url="https://activateurs.test.fr/activateurs/numerique-et-co",
        at=at), producer="directory", occurred_at=at)


async def _is(registration, headers, expected: str) -> bool:
    return await status(registration, headers) == expected


async def test_the_first_publication_is_told_once(registration, amqp):
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id)
    first = _published(structure_id, registration.clock.now())
    await amqp.publish_event(first)
    await amqp.publish_event(first)
    republished = _published(structure_id, registration.clock.now() + timedelta(hours=1))
    await amqp.publish_event(republished)
    await eventually(lambda: processed(registration, republished), what="the republication handled")
    assert await status(registration, headers) == "published"
    [mail] = await registration.emails("profile_published", email)
    assert mail["context"]["profile_url"] == "https://activateurs.test.fr/activateurs/numerique-et-co"
    assert mail["context"]["structure_name"] == "Numérique & Co"


async def test_a_publication_arriving_before_the_acceptance_is_told_after_it(registration, amqp):
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = uuid.uuid4()
    early = _published(structure_id, registration.clock.now())
    await amqp.publish_event(early)
    await eventually(lambda: processed(registration, early), what="the early publication handled")
    assert not await registration.emails("profile_published")
    # The acceptance (on another queue) comes late, for the same structure.
    now = registration.clock.now()
    await amqp.publish_event(DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=a_profile(),
        accepted_at=now, engagement_expires_at=now + timedelta(days=730)),
        producer="validation", occurred_at=now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "published"), what="accepted, then published")
    assert len(await registration.emails("profile_published", email)) == 1


def _sanction(kind, structure_id, at):
    return kind.new(SanctionData(structure_id=structure_id, reason="r"), producer="validation", occurred_at=at)


def _acceptance(dossier_id, structure_id, account_id, at) -> DossierAccepted:
    return DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=a_profile(),
        accepted_at=at, engagement_expires_at=at + timedelta(days=730)), producer="validation", occurred_at=at)


async def test_a_suspension_arriving_before_the_acceptance_applies_once_it_comes(registration, amqp):
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id, now = uuid.uuid4(), registration.clock.now()
    early = _sanction(StructureSuspended, structure_id, now + timedelta(minutes=1))
    older = _sanction(StructureReinstated, structure_id, now + timedelta(seconds=30))  # late copy of an older one
    for event in (early, older):
        await amqp.publish_event(event)
        await eventually(lambda event=event: processed(registration, event), what="the early sanction handled")
    assert await status(registration, headers) == "submitted"
    # The acceptance (on another queue) comes late; the publication too.
    await amqp.publish_event(_acceptance(dossier_id, structure_id, account_id, now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "suspended"), what="accepted, then suspended")
    assert (await registration.client.patch("/api/v1/profile", headers=headers,
                                            json={"structure": {"description": "x"}})).status_code == 409
    await amqp.publish_event(_published(structure_id, now + timedelta(minutes=2)))
    await amqp.publish_event(_sanction(StructureReinstated, structure_id, now + timedelta(minutes=3)))
    await eventually(lambda: _is(registration, headers, "published"), what="reinstated as published")
    assert len(await registration.emails("profile_published", email)) == 1


async def test_a_suspension_lifted_before_the_acceptance_arrives_leaves_it_accepted(registration, amqp):
    _, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id, now = uuid.uuid4(), registration.clock.now()
    lifted = _sanction(StructureReinstated, structure_id, now + timedelta(minutes=2))
    for event in (lifted, _sanction(StructureSuspended, structure_id, now + timedelta(minutes=1))):  # out of order
        await amqp.publish_event(event)
        await eventually(lambda event=event: processed(registration, event), what="the early sanction handled")
    await amqp.publish_event(_acceptance(dossier_id, structure_id, account_id, now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "accepted"), what="accepted")
    # The suspension before the lifting, replayed now, is older than what was applied: nothing changes.
    replay = _sanction(StructureSuspended, structure_id, now + timedelta(minutes=1, seconds=30))
    await amqp.publish_event(replay)
    await eventually(lambda: processed(registration, replay), what="the replayed suspension handled")
    assert await status(registration, headers) == "accepted"
    async with registration.db.sessions() as session:
        assert not (await session.execute(sa.select(early_sanctions))).all()  # consumed by the acceptance


async def test_an_early_sanction_whose_acceptance_never_comes_is_let_go_of(registration, amqp):
    structure_id, now = uuid.uuid4(), registration.clock.now()
    early = _sanction(StructureSuspended, structure_id, now)
    await amqp.publish_event(early)
    await eventually(lambda: processed(registration, early), what="the early sanction handled")
    assert await forget_early_sanctions(registration.deps) == 0  # its acceptance may still come
    registration.clock.set(now + EARLY_KEPT + timedelta(seconds=1))
    assert await forget_early_sanctions(registration.deps) == 1
    async with registration.db.sessions() as session:
        assert not (await session.execute(sa.select(early_sanctions))).all()
