"""After submission: the DGE's answers arriving over RabbitMQ (twice, late, out of order), account deletions
(3-month rule, strike-off, GDPR request, never verified) reaching the database, and the GDPR export."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
import sqlalchemy as sa

from activateurs.registration.adapters.tables import accounts, deleted_accounts, documents, dossier_revisions, dossiers
from activateurs.registration.service.lifecycle import purge_never_verified
from activateurs.shared.contracts.dossier import Address, Profile, RoutingData
from activateurs.shared.contracts.registration import AccountDeleted
from activateurs.shared.contracts.validation import (
    CharterPublished,
    CharterPublishedData,
    DossierAccepted,
    DossierAcceptedData,
    DossierExpired,
    DossierExpiredData,
    DossierRefused,
    DossierRefusedData,
    InformationRequested,
    InformationRequestedData,
    SanctionData,
    StructureStruckOff,
)
from tests.support.waiting import eventually

from ..conftest import PDF, complete_dossier

SUBMIT = {"charter_version": 1, "accept_charter": True}


async def submitted(registration):
    email = await registration.signup()
    headers = await registration.headers(email)
    await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())
    await registration.upload(headers, "extrait_immatriculation")
    answer = await registration.client.post("/api/v1/dossier/submission", headers=headers, json=SUBMIT)
    assert answer.status_code == 202, answer.text
    dossier_id = uuid.UUID(answer.json()["dossier_id"])
    me = (await registration.client.get("/api/v1/me", headers=headers)).json()
    return email, headers, dossier_id, uuid.UUID(me["id"])


async def status_of(registration, headers) -> str:
    return (await registration.client.get("/api/v1/dossier", headers=headers)).json()["status"]


def profile() -> Profile:
    return Profile(name="Numérique & Co", structure_type="entreprise_services_numeriques", category="privee",
                   address=Address(street="12 rue de la Roquette", postal_code="75011", city="Paris"),
                   department="75", region="11", headcount_band="10-19", description="TPE", domains=["cybersecurite"],
                   services=["conseil"], routing=RoutingData(contact_emails=["c@example.fr"], department="75"))


async def test_information_request_then_resubmission_then_acceptance(registration, amqp):
    email, headers, dossier_id, account_id = await submitted(registration)
    now = registration.clock.now()
    request = InformationRequested.new(InformationRequestedData(
        dossier_id=dossier_id, account_id=account_id, message="Merci de joindre un Kbis récent.",
        respond_by=now + timedelta(days=90)), producer="validation", occurred_at=now + timedelta(seconds=1))
    await amqp.publish_event(request)
    await amqp.publish_event(request)  # delivered twice: one effect
    await eventually(lambda: _is(registration, headers, "awaiting_applicant"), what="status awaiting_applicant")
    body = (await registration.client.get("/api/v1/dossier", headers=headers)).json()
    assert body["information_request"]["message"] == "Merci de joindre un Kbis récent."
    assert await registration.emails("information_requested", email) == []  # validation sends it

    registration.clock.advance(timedelta(days=2))
    headers = await registration.headers(email)  # the first token has expired meanwhile
    edited = await registration.client.put("/api/v1/dossier", headers=headers,
                                           json=complete_dossier(pricing="Nouveau tarif"))
    assert edited.status_code == 200
    await registration.upload(headers, "extrait_immatriculation", PDF + b"%recent")
    again = await registration.client.post("/api/v1/dossier/submission", headers=headers, json=SUBMIT)
    assert again.status_code == 202 and again.json()["revision"] == 2

    # A late copy of an older decision does not undo the resubmission.
    stale = DossierRefused.new(DossierRefusedData(dossier_id=dossier_id, account_id=account_id, reason="old"),
                               producer="validation", occurred_at=now + timedelta(seconds=2))
    structure_id = uuid.uuid4()
    accepted = DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=profile(),
        accepted_at=registration.clock.now(), engagement_expires_at=registration.clock.now() + timedelta(days=730)),
        producer="validation", occurred_at=registration.clock.now() + timedelta(seconds=1))
    await amqp.publish_event(stale)
    await amqp.publish_event(accepted)
    await eventually(lambda: _is(registration, headers, "accepted"), what="status accepted")
    assert not await registration.emails("dossier_refused")
    [welcome] = await registration.emails("dossier_accepted", email)
    assert welcome["context"]["structure_name"] == "Numérique & Co"
    token = (await registration.login(email)).json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["structure_id"] == str(structure_id)
    me = (await registration.client.get("/api/v1/me", headers=headers)).json()
    assert me["structure"]["structure_id"] == str(structure_id) and me["structure"]["status"] == "accepted"
    async with registration.db.sessions() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(dossier_revisions))).scalar() == 2


async def _is(registration, headers, status: str) -> bool:
    return await status_of(registration, headers) == status


async def test_a_refused_structure_is_told_why_and_may_apply_again(registration, amqp):
    email, headers, dossier_id, account_id = await submitted(registration)
    await amqp.publish_event(DossierRefused.new(
        DossierRefusedData(dossier_id=dossier_id, account_id=account_id, reason="Activité sans lien avec le numérique."),
        producer="validation", occurred_at=registration.clock.now() + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "refused"), what="status refused")
    [mail] = await registration.emails("dossier_refused", email)
    assert mail["context"]["reason"] == "Activité sans lien avec le numérique."
    assert (await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())).status_code \
        == 200
    again = await registration.client.post("/api/v1/dossier/submission", headers=headers, json=SUBMIT)
    assert again.status_code == 202 and again.json()["revision"] == 2


async def nothing_left_about(registration, account_id) -> None:
    async with registration.db.sessions() as session:
        for table, column in ((accounts, accounts.c.id), (dossiers, dossiers.c.account_id),
                              (documents, documents.c.account_id)):
            count = (await session.execute(sa.select(sa.func.count()).where(column == account_id))).scalar()
            assert count == 0, table.name
        assert (await session.execute(sa.select(sa.func.count()).select_from(dossier_revisions))).scalar() == 0
        audit = (await session.execute(sa.select(deleted_accounts).where(
            deleted_accounts.c.account_id == account_id))).one()
    assert set(audit._mapping) == {"account_id", "structure_id", "reason", "deleted_at"}  # no personal data


async def test_an_expired_information_request_deletes_the_account(registration, amqp):
    email, headers, dossier_id, account_id = await submitted(registration)
    now = registration.clock.now()
    await amqp.publish_event(InformationRequested.new(InformationRequestedData(
        dossier_id=dossier_id, account_id=account_id, message="?", respond_by=now + timedelta(days=90)),
        producer="validation", occurred_at=now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "awaiting_applicant"), what="awaiting_applicant")
    expired = DossierExpired.new(DossierExpiredData(dossier_id=dossier_id, account_id=account_id),
                                 producer="validation", occurred_at=now + timedelta(days=92))
    await amqp.publish_event(expired)
    await amqp.publish_event(expired)

    async def deleted_event():
        return await registration.outbox(AccountDeleted.routing_key)

    [event] = await eventually(deleted_event, what="registration.account.deleted.v1")
    assert event["data"]["account_id"] == str(account_id)
    await nothing_left_about(registration, account_id)
    [goodbye] = await registration.emails("account_deleted", email)
    assert goodbye["context"]["reason"] == "information_request_expired" and goodbye["account_id"] == str(account_id)
    assert (await registration.client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (await registration.client.put("/api/v1/dossier", headers=headers, json={})).status_code == 401
    assert (await registration.login(email)).status_code == 401


async def test_an_expiry_of_a_dossier_not_awaiting_its_applicant_is_ignored(registration, amqp):
    _, headers, dossier_id, account_id = await submitted(registration)  # submitted: with the DGE, no clock running
    await amqp.publish_event(DossierExpired.new(DossierExpiredData(dossier_id=dossier_id, account_id=account_id),
                                                producer="validation", occurred_at=registration.clock.now()))
    marker = InformationRequested.new(InformationRequestedData(
        dossier_id=dossier_id, account_id=account_id, message="après", respond_by=registration.clock.now()),
        producer="validation", occurred_at=registration.clock.now() + timedelta(seconds=5))
    await amqp.publish_event(marker)  # same queue, after the expiry: once it is applied, the expiry was seen
    await eventually(lambda: _is(registration, headers, "awaiting_applicant"), what="the later request applied")
    assert (await registration.client.get("/api/v1/me", headers=headers)).status_code == 200
    assert not await registration.outbox(AccountDeleted.routing_key)


async def test_a_struck_off_structure_loses_its_account(registration, amqp):
    email, headers, dossier_id, account_id = await submitted(registration)
    structure_id = uuid.uuid4()
    now = registration.clock.now()
    await amqp.publish_event(DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=profile(), accepted_at=now,
        engagement_expires_at=now + timedelta(days=730)), producer="validation", occurred_at=now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "accepted"), what="accepted")
    await amqp.publish_event(StructureStruckOff.new(SanctionData(structure_id=structure_id, reason="Manquements."),
                                                    producer="validation", occurred_at=now + timedelta(seconds=2)))

    async def deleted_event():
        return await registration.outbox(AccountDeleted.routing_key)

    [event] = await eventually(deleted_event, what="registration.account.deleted.v1")
    assert event["data"] == {"account_id": str(account_id), "structure_id": str(structure_id)}
    await nothing_left_about(registration, account_id)
    assert await registration.emails("structure_struck_off", email) == []  # validation sends it, with the reason
    assert [m["context"]["reason"] for m in await registration.emails("account_deleted", email)] == ["struck_off"]


async def test_export_then_delete_my_account(registration):
    email, headers, _, account_id = await submitted(registration)
    export = (await registration.client.get("/api/v1/me/export", headers=headers)).json()
    assert export["account"]["email"] == email and "password_hash" not in export["account"]
    assert export["dossier"]["draft"]["structure"]["name"] == "Numérique & Co"
    assert export["revisions"][0]["revision"] == 1 and export["documents"][0]["kind"] == "extrait_immatriculation"

    assert (await registration.client.delete("/api/v1/me", headers=headers)).status_code == 202
    [event] = await registration.outbox(AccountDeleted.routing_key)
    assert event["data"]["account_id"] == str(account_id)
    await nothing_left_about(registration, account_id)
    assert (await registration.client.delete("/api/v1/me", headers=headers)).status_code == 401
    assert (await registration.client.get("/api/v1/me/export", headers=headers)).status_code == 401
    # The address is free again.
    assert (await registration.client.post("/api/v1/accounts", json={
        "email": email, "password": "correct horse battery staple", "first_name": "C", "last_name": "D"})
    ).status_code == 202
    assert len(await registration.emails("account_verification", email)) == 2


async def test_never_verified_accounts_are_purged_after_30_days(registration):
    stale = await registration.signup(verify=False)
    verified = await registration.signup()
    registration.clock.advance(timedelta(days=29))
    recent = await registration.signup(verify=False)
    assert await purge_never_verified(registration.deps) == 0
    registration.clock.advance(timedelta(days=1, seconds=1))
    assert await purge_never_verified(registration.deps) == 1
    async with registration.db.sessions() as session:
        left = set((await session.execute(sa.select(accounts.c.email))).scalars())
    assert left == {verified, recent} and stale not in left
    [event] = await registration.outbox(AccountDeleted.routing_key)
    assert event["data"]["structure_id"] is None
    assert not await registration.emails("account_deleted")  # nobody to say goodbye to: never confirmed


async def test_a_new_charter_version_is_the_one_to_accept(registration, amqp):
    email = await registration.signup()
    headers = await registration.headers(email)
    await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())
    await registration.upload(headers, "extrait_immatriculation")
    published = CharterPublished.new(CharterPublishedData(
        version=2, text="Charte v2", acceptance_deadline=registration.clock.now() + timedelta(days=60)),
        producer="validation", occurred_at=registration.clock.now())
    await amqp.publish_event(published)
    await amqp.publish_event(published)

    async def current_version():
        return (await registration.client.get("/api/v1/charter")).json()["version"] == 2

    await eventually(current_version, what="charter version 2")
    charter = (await registration.client.get("/api/v1/charter")).json()
    assert charter["text"] == "Charte v2" and charter["acceptance_deadline"]
    assert (await registration.client.post("/api/v1/dossier/submission", headers=headers, json=SUBMIT)).status_code \
        == 409
    answer = await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                            json={"charter_version": 2, "accept_charter": True})
    assert answer.status_code == 202


async def test_an_accepted_structure_withdraws(registration, amqp):
    email, headers, dossier_id, account_id = await submitted(registration)
    body = {"reason": "Cessation d'activité", "scope": "structure"}
    assert (await registration.client.post("/api/v1/withdrawal", headers=headers, json=body)).status_code == 409
    structure_id = uuid.uuid4()
    now = registration.clock.now()
    await amqp.publish_event(DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=profile(), accepted_at=now,
        engagement_expires_at=now + timedelta(days=730)), producer="validation", occurred_at=now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "accepted"), what="accepted")
    for bad in ({"reason": "", "scope": "structure"}, {"reason": "x", "scope": "everyone"}, {"scope": "structure"}):
        assert (await registration.client.post("/api/v1/withdrawal", headers=headers, json=bad)).status_code == 422
    assert (await registration.client.post("/api/v1/withdrawal", headers=headers,
                                           json={**body, "scope": "member"})).status_code == 409
    assert (await registration.client.post("/api/v1/withdrawal", headers=headers, json=body)).status_code == 202
    assert await status_of(registration, headers) == "withdrawn"
    [event] = await registration.outbox("registration.structure.withdrawn.v1")
    assert event["data"] == {"structure_id": str(structure_id), "reason": "Cessation d'activité"}
    [mail] = await registration.emails("withdrawal_confirmed", email)
    assert mail["context"]["scope"] == "structure"
    assert (await registration.client.post("/api/v1/withdrawal", headers=headers, json=body)).status_code == 409


async def test_an_accepted_structure_updates_its_profile_and_it_is_republished(registration, amqp):
    email, headers, dossier_id, account_id = await submitted(registration)
    patch = {"structure": {"description": "Nouvelle offre", "address": {"postal_code": "20200", "city": "Bastia"}}}
    assert (await registration.client.patch("/api/v1/profile", headers=headers, json=patch)).status_code == 409
    structure_id = uuid.uuid4()
    now = registration.clock.now()
    await amqp.publish_event(DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=profile(), accepted_at=now,
        engagement_expires_at=now + timedelta(days=730)), producer="validation", occurred_at=now + timedelta(seconds=1)))
    await eventually(lambda: _is(registration, headers, "accepted"), what="accepted")

    answer = await registration.client.patch("/api/v1/profile", headers=headers, json=patch)
    assert answer.status_code == 202, answer.text
    [event] = await registration.outbox("registration.profile.updated.v1")
    published = event["data"]["profile"]
    assert event["data"]["structure_id"] == str(structure_id) and published["description"] == "Nouvelle offre"
    assert published["address"] == {"street": "12 rue de la Roquette", "postal_code": "20200", "city": "Bastia"}
    assert (published["department"], published["region"]) == ("2B", "94")
    assert published["routing"]["contact_emails"] == [email] and published["members"][0]["avatar_initials"] == "CD"
    assert "siret" not in published and "management" not in published

    for bad, problem in (({"structure": {"website": "ftp://x"}}, True), ({"structure": {"siret": "1"}}, False),
                         ({"structure": {"domains": ["astrologie"]}}, False), ({"structure": "x"}, False)):
        answer = await registration.client.patch("/api/v1/profile", headers=headers, json=bad)
        assert answer.status_code == 422, bad
        assert ("problems" in answer.json()) is problem
    assert len(await registration.outbox("registration.profile.updated.v1")) == 1
