"""The record of a structure's charter acceptances (submission, a member joining, a new version, renewal), read by
the DGE and by the DREETS of the structure's region only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from activateurs.registration.service.accounts import create_staff_account
from activateurs.shared.contracts.validation import CharterPublished, CharterPublishedData
from activateurs.shared.contracts.vocabulary import Role
from tests.support.waiting import eventually

from ..conftest import PASSWORD, accept, invite_member, submitted_structure

STEP = timedelta(minutes=1)  # the clock moves by less than a token's life


async def _staff(registration, roles, region=None) -> dict[str, str]:
    email = f"agent.{uuid.uuid4().hex[:8]}@dge.example.fr"
    await create_staff_account(registration.deps, email=email, password=PASSWORD, roles=roles, region=region)
    return await registration.headers(email)


async def test_the_charter_versions_a_structure_accepted_for_the_dge_and_its_region(registration, amqp):
    submitted_at = registration.clock.now()
    _, referent, dossier_id, referent_id = await submitted_structure(registration)  # accepts version 1
    structure_id = await accept(registration, amqp, dossier_id, referent_id, expires_in=timedelta(days=30))
    registration.clock.advance(STEP)
    _, member = await invite_member(registration, referent)  # accepts version 1 on joining
    member_id = (await registration.client.get("/api/v1/me", headers=member)).json()["id"]
    registration.clock.advance(STEP)
    published = CharterPublished.new(CharterPublishedData(
        version=2, text="Charte v2", acceptance_deadline=registration.clock.now() + timedelta(days=60)),
        producer="validation", occurred_at=registration.clock.now())
    await amqp.publish_event(published)

    async def current_is_2():
        return (await registration.client.get("/api/v1/charter")).json()["version"] == 2

    await eventually(current_is_2, what="charter version 2")
    registration.clock.advance(STEP)
    renewed = await registration.client.post("/api/v1/engagement/renewal", headers=referent,
                                             json={"charter_version": 2})  # the referent accepts 2 by renewing
    assert renewed.status_code == 200, renewed.text
    renewed_at = registration.clock.now()
    registration.clock.advance(STEP)
    joined_2 = await registration.client.post("/api/v1/charter/acceptance", headers=member, json={"charter_version": 2})
    assert joined_2.status_code == 200, joined_2.text

    url = f"/api/v1/structures/{structure_id}/charter-acceptances"
    dge = await _staff(registration, [Role.DGE_AGENT])
    answer = await registration.client.get(url, headers=dge)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["structure_id"] == str(structure_id) and body["charter_version"] == 2
    assert [(i["charter_version"], i["account_id"], i["referent"]) for i in body["items"]] == [
        (1, str(referent_id), True), (1, member_id, False), (2, str(referent_id), True), (2, member_id, False)]
    assert set(body["items"][0]) == {"charter_version", "accepted_at", "account_id", "referent"}
    instants = [datetime.fromisoformat(i["accepted_at"]) for i in body["items"]]
    assert instants == sorted(instants) and instants[0] >= submitted_at
    assert instants[2] == renewed_at
    assert instants[3] == datetime.fromisoformat(joined_2.json()["accepted_at"])
    admin = await _staff(registration, [Role.DGE_AGENT, Role.DGE_ADMIN])
    assert (await registration.client.get(url, headers=admin)).json() == body

    # A DREETS agent reads its region's structures (the address is in Paris, Île-de-France: 11) and no other's.
    paris = await registration.client.get(url, headers=await _staff(registration, [Role.DREETS_AGENT], region="11"))
    assert paris.status_code == 200 and paris.json() == body
    lyon = await registration.client.get(url, headers=await _staff(registration, [Role.DREETS_AGENT], region="84"))
    assert lyon.status_code == 404 and lyon.json()["detail"] == "no such structure"
    no_region = await registration.client.get(url, headers=await _staff(registration, [Role.DREETS_AGENT]))
    assert no_region.status_code == 403 and "region" in no_region.json()["detail"]

    for activator in (referent, member):
        refused = await registration.client.get(url, headers=activator)
        assert refused.status_code == 403 and refused.json()["detail"]
    assert (await registration.client.get(url)).status_code == 401
    unknown = await registration.client.get(f"/api/v1/structures/{uuid.uuid4()}/charter-acceptances", headers=dge)
    assert unknown.status_code == 404
    a_dossier = await registration.client.get(f"/api/v1/structures/{dossier_id}/charter-acceptances", headers=dge)
    assert a_dossier.status_code == 404  # a dossier id is not a structure id
    assert (await registration.client.get("/api/v1/structures/not-an-id/charter-acceptances",
                                          headers=dge)).status_code == 422
