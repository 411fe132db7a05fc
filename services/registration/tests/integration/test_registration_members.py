"""Members (adhérents): invitation by the referent, acceptance, cards and photos, their place in the submitted
snapshot and the republished profile, least privilege, withdrawal, export and deletion."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
import sqlalchemy as sa

from activateurs.registration.adapters.tables import accounts, documents, members
from activateurs.shared.contracts.registration import AccountDeleted
from activateurs.shared.contracts.validation import SanctionData, StructureStruckOff
from tests.support.waiting import eventually

from ..conftest import (
    PASSWORD,
    PDF,
    PNG,
    SUBMIT,
    accept,
    complete_dossier,
    invitation_token,
    invite_member,
    submitted_structure,
)

CARD = {"avatar": None, "phone": "06 12 34 56 78", "contact_email": "marc@numerique-et-co.fr",
        "presentation": "Développeur web depuis 10 ans.", "references": ["Site de la mairie de Lyon"]}


async def upload_photo(registration, headers, content=PNG):
    return await registration.client.post("/api/v1/structure/members/me/photo", headers=headers,
                                          files={"file": ("me.png", content, "application/octet-stream")})


async def test_a_referent_invites_a_member_who_joins_with_a_single_use_link(registration):
    referent = await registration.signup()
    headers = await registration.headers(referent)
    await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())
    email = "Marc.Lefebvre@example.fr"
    body = {"email": email, "first_name": "Marc", "last_name": "Lefebvre"}
    answer = await registration.client.post("/api/v1/structure/members", headers=headers, json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "invited" and answer.json()["email"] == email.lower()
    assert (await registration.client.post("/api/v1/structure/members", headers=headers, json=body)).status_code == 409
    own = await registration.client.post("/api/v1/structure/members", headers=headers, json={**body, "email": referent})
    assert own.status_code == 409
    for bad in ({**body, "email": "not-an-email"}, {"email": email}, {**body, "first_name": ""},
                {**body, "email": "other@example.fr", "first_name": "Ma\u0000rc"},
                {**body, "email": "other@example.fr", "last_name": "L\u0000"}):
        assert (await registration.client.post("/api/v1/structure/members", headers=headers, json=bad)).status_code \
            == 422

    unreadable = await registration.client.post("/api/v1/structure/members", content=b"\xff\xfe not json",
                                                headers={**headers, "content-type": "application/json"})
    assert unreadable.status_code == 400
    assert not await registration.emails("member_invitation", "other@example.fr")  # nothing half written
    [mail] = await registration.emails("member_invitation", email.lower())
    context = mail["context"]
    assert (context["first_name"], context["structure_name"], context["referent_name"]) == \
        ("Marc", "Numérique & Co", "Claire Durand")
    assert context["invitation_url"].startswith("https://activateurs.test.fr/invitation?token=")
    token = await invitation_token(registration, email)

    accept_body = {"token": token, "password": PASSWORD, "charter_version": 1, "accept_charter": True}
    url = "/api/v1/structure/members/invitation"
    header, payload, signature = token.split(".")
    forged = ".".join((header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")))
    assert (await registration.client.post(url, json={**accept_body, "token": forged})).status_code == 400
    assert (await registration.client.post(url, json={**accept_body, "token": "nonsense"})).status_code == 400
    assert (await registration.client.post(url, json={**accept_body, "charter_version": 2})).status_code == 409
    assert (await registration.client.post(url, json={**accept_body, "accept_charter": False})).status_code == 422
    assert (await registration.client.post(url, json={**accept_body, "password": "short"})).status_code == 422
    joined = await registration.client.post(url, json=accept_body)
    assert joined.status_code == 201, joined.text
    replay = await registration.client.post(url, json=accept_body)
    assert replay.status_code == 400 and "already used" in replay.json()["detail"]

    # A verified account (the link proved the address), with the activator role, bound to the structure.
    member_token = (await registration.login(email)).json()["access_token"]
    assert jwt.decode(member_token, options={"verify_signature": False})["roles"] == ["activator"]
    member_headers = {"Authorization": f"Bearer {member_token}"}
    me = (await registration.client.get("/api/v1/me", headers=member_headers)).json()
    assert me["structure"]["role"] == "member" and me["structure"]["name"] == "Numérique & Co"
    assert me["charter_version_accepted"] == 1
    listed = (await registration.client.get("/api/v1/structure/members", headers=headers)).json()
    assert [(m["email"], m["status"]) for m in listed] == [(email.lower(), "member")]
    assert (await registration.client.get("/api/v1/structure/members", headers=member_headers)).status_code == 403


async def test_an_invitation_expires_and_a_new_one_replaces_it(registration):
    headers = await registration.headers()
    body = {"email": "late@example.fr", "first_name": "Léa", "last_name": "Martin"}
    assert (await registration.client.post("/api/v1/structure/members", headers=headers, json=body)).status_code == 201
    first = await invitation_token(registration, "late@example.fr")
    registration.clock.advance(timedelta(days=7, seconds=1))
    accept_body = {"token": first, "password": PASSWORD, "charter_version": 1, "accept_charter": True}
    expired = await registration.client.post("/api/v1/structure/members/invitation", json=accept_body)
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]
    listed = await registration.client.get("/api/v1/structure/members", headers=await _fresh(registration, headers))
    assert [m["status"] for m in listed.json()] == ["expired"]

    headers = await _fresh(registration, headers)
    assert (await registration.client.post("/api/v1/structure/members", headers=headers, json=body)).status_code == 201
    second = await invitation_token(registration, "late@example.fr")
    assert second != first
    registration.clock.advance(timedelta(seconds=1))
    replaced = await registration.client.post("/api/v1/structure/members/invitation",
                                              json={**accept_body, "token": first})
    assert replaced.status_code == 400
    assert (await registration.client.post("/api/v1/structure/members/invitation",
                                           json={**accept_body, "token": second})).status_code == 201


async def _fresh(registration, headers):
    """A new token for the same account (the clock moved past the first one's lifetime)."""
    me = await registration.client.get("/api/v1/me", headers=headers)
    if me.status_code == 200:
        return headers
    claims = jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})
    async with registration.db.sessions() as session:
        email = (await session.execute(sa.select(accounts.c.email).where(
            accounts.c.id == uuid.UUID(claims["sub"])))).scalar_one()
    return await registration.headers(email)


async def test_an_address_with_an_account_cannot_be_invited(registration):
    other = await registration.signup()
    headers = await registration.headers()
    answer = await registration.client.post("/api/v1/structure/members", headers=headers,
                                            json={"email": other, "first_name": "A", "last_name": "B"})
    assert answer.status_code == 409


async def test_a_member_fills_in_the_card_checked_field_by_field(start_registration):
    registration = await start_registration(max_photo_bytes=1024)
    referent = await registration.signup()
    headers = await registration.headers(referent)
    member_email, member = await invite_member(registration, headers)
    card_url = "/api/v1/structure/members/me/card"
    empty = (await registration.client.get(card_url, headers=member)).json()
    assert empty["presentation"] is None and empty["photo_url"] is None
    for bad in ({**CARD, "phone": "call me maybe"}, {**CARD, "contact_email": "nope"}, {**CARD, "colour": "blue"},
                {**CARD, "avatar": "unicorn"}, {**CARD, "presentation": "x" * 5001}, {**CARD, "references": "x"},
                {**CARD, "avatar": "avatar-1", "photo_document_id": str(uuid.uuid4())}):
        answer = await registration.client.put(card_url, headers=member, json=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["detail"], bad

    assert (await upload_photo(registration, member, PDF)).status_code == 415
    assert (await upload_photo(registration, member, b"MZ\x90\x00" + b"\x00" * 100)).status_code == 415
    assert (await upload_photo(registration, member, PNG + b"\x00" * 2048)).status_code == 413
    photo = await upload_photo(registration, member)
    assert photo.status_code == 201, photo.text
    photo_id = photo.json()["id"]
    referent_doc = (await registration.upload(headers, "extrait_immatriculation")).json()["id"]
    assert (await registration.client.put(card_url, headers=member,
                                          json={**CARD, "photo_document_id": referent_doc})).status_code == 422
    saved = await registration.client.put(card_url, headers=member, json={**CARD, "photo_document_id": photo_id})
    assert saved.status_code == 200, saved.text
    assert saved.json()["photo_url"].endswith(f"/api/v1/photos/{photo_id}")
    assert (await registration.client.get(card_url, headers=member)).json()["presentation"] == CARD["presentation"]
    # The referent has no member card and cannot upload one's photo; nor is the photo public before acceptance.
    assert (await registration.client.get(card_url, headers=headers)).status_code == 403
    assert (await upload_photo(registration, headers)).status_code == 403
    assert (await registration.client.get(f"/api/v1/photos/{photo_id}")).status_code == 404

    # The submission carries the members and their cards, and their photos among the documents.
    assert (await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())).status_code \
        == 200
    assert (await registration.client.post("/api/v1/dossier/submission", headers=headers, json=SUBMIT)).status_code \
        == 202
    [event] = await registration.outbox("registration.dossier.submitted.v1")
    people = event["data"]["members"]
    assert [(p["email"], p["is_referent"]) for p in people] == [(referent, True), (member_email, False)]
    assert people[1]["card"]["presentation"] == CARD["presentation"] and people[1]["charter_version_accepted"] == 1
    assert photo_id in {d["id"] for d in event["data"]["documents"]}


async def test_a_member_cannot_act_as_the_referent(registration, amqp):
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    await accept(registration, amqp, dossier_id, account_id)
    _, member = await invite_member(registration, headers)
    client = registration.client
    republished = len(await registration.outbox("registration.profile.updated.v1"))  # the member's arrival
    for method, url, body in (
            ("GET", "/api/v1/dossier", None), ("PUT", "/api/v1/dossier", complete_dossier()),
            ("POST", "/api/v1/dossier/submission", SUBMIT),
            ("POST", "/api/v1/structure/members", {"email": "x@example.fr", "first_name": "X", "last_name": "Y"}),
            ("GET", "/api/v1/structure/members", None),
            ("POST", "/api/v1/engagement/renewal", {"charter_version": 1}),
            ("POST", "/api/v1/withdrawal", {"reason": "Je pars", "scope": "structure"}),
            ("PATCH", "/api/v1/profile", {"structure": {"description": "Pris en main"}})):
        answer = await client.request(method, url, headers=member, json=body)
        assert answer.status_code == 403, (method, url, answer.text)
    # Nothing was written on the member's behalf: no dossier of their own, the structure untouched.
    assert len(await registration.outbox("registration.profile.updated.v1")) == republished
    assert not await registration.outbox("registration.structure.withdrawn.v1")
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["structure"]["status"] == "accepted"


async def test_a_card_change_of_an_accepted_structure_is_republished(registration, amqp):
    referent, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id)
    member_email, member = await invite_member(registration, headers)
    [joined] = await registration.outbox("registration.profile.updated.v1")  # the new member's (empty) card
    claims = jwt.decode(member["Authorization"].split()[1], options={"verify_signature": False})
    assert claims["structure_id"] == str(structure_id) and claims["roles"] == ["activator"]
    assert len(joined["data"]["profile"]["members"]) == 2
    photo_id = (await upload_photo(registration, member)).json()["id"]
    answer = await registration.client.put("/api/v1/structure/members/me/card", headers=member, json={
        **CARD, "photo_document_id": photo_id, "receive_contact_requests": True})
    assert answer.status_code == 200
    latest = (await registration.outbox("registration.profile.updated.v1"))[-1]["data"]
    assert latest["structure_id"] == str(structure_id)
    cards = latest["profile"]["members"]
    assert [c["first_name"] for c in cards] == ["Claire", "Marc"]
    assert cards[1]["presentation"] == CARD["presentation"] and cards[1]["avatar_initials"] == "ML"
    assert cards[1]["photo_url"].endswith(f"/api/v1/photos/{photo_id}")
    assert latest["profile"]["routing"]["contact_emails"] == [referent, member_email]
    public = await registration.client.get(f"/api/v1/photos/{photo_id}")
    assert public.status_code == 200 and public.content == PNG and public.headers["content-type"] == "image/png"
    # Other documents stay private even when their id is known.
    doc_id = (await registration.client.get("/api/v1/dossier/documents", headers=headers)).json()[0]["id"]
    assert (await registration.client.get(f"/api/v1/photos/{doc_id}")).status_code == 404


async def test_a_member_withdraws_and_the_account_goes(registration, amqp):
    referent, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id)
    member_email, member = await invite_member(registration, headers)
    member_id = (await registration.client.get("/api/v1/me", headers=member)).json()["id"]
    await upload_photo(registration, member)
    bad = await registration.client.post("/api/v1/withdrawal", headers=member, json={"scope": "member"})
    assert bad.status_code == 422
    answer = await registration.client.post("/api/v1/withdrawal", headers=member,
                                            json={"reason": "Je change de poste", "scope": "member"})
    assert answer.status_code == 202, answer.text

    [withdrawn] = await registration.outbox("registration.member.withdrawn.v1")
    assert withdrawn["data"] == {"structure_id": str(structure_id), "account_id": member_id}
    [deleted] = await registration.outbox(AccountDeleted.routing_key)
    assert deleted["data"] == {"account_id": member_id, "structure_id": str(structure_id)}
    latest = (await registration.outbox("registration.profile.updated.v1"))[-1]["data"]["profile"]
    assert [c["first_name"] for c in latest["members"]] == ["Claire"]
    [mail] = await registration.emails("withdrawal_confirmed", member_email)
    assert mail["context"]["scope"] == "member"
    assert not await registration.emails("account_deleted", member_email)  # one email is enough
    async with registration.db.sessions() as session:
        for table, column in ((accounts, accounts.c.id), (members, members.c.account_id),
                              (documents, documents.c.account_id)):
            assert (await session.execute(sa.select(sa.func.count()).where(column == uuid.UUID(member_id)))
                    ).scalar() == 0, table.name
    assert (await registration.login(member_email)).status_code == 401
    # The structure stays, with its referent.
    assert (await registration.client.get("/api/v1/me", headers=headers)).json()["structure"]["status"] == "accepted"


async def test_a_member_exports_and_deletes_their_data_and_the_structure_takes_its_members(registration, amqp):
    referent, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id)
    member_email, member = await invite_member(registration, headers)
    await registration.client.put("/api/v1/structure/members/me/card", headers=member, json=CARD)
    await upload_photo(registration, member)
    export = (await registration.client.get("/api/v1/me/export", headers=member)).json()
    assert export["account"]["email"] == member_email and "password_hash" not in export["account"]
    assert export["membership"]["card"]["presentation"] == CARD["presentation"]
    assert export["invitation"]["email"] == member_email and export["invitation"]["accepted_at"]
    assert [a["version"] for a in export["charter_acceptances"]] == [1]
    assert [d["kind"] for d in export["documents"]] == ["photo"]
    assert export["dossier"] is None

    assert (await registration.client.delete("/api/v1/me", headers=member)).status_code == 202
    assert [e["data"]["account_id"] for e in await registration.outbox("registration.member.withdrawn.v1")] == \
        [export["account"]["id"]]
    assert (await registration.client.get("/api/v1/me", headers=member)).status_code == 401

    # The structure struck off: its referent's account goes, and every member's with it.
    _, other = await invite_member(registration, headers, email="paul@example.fr", first_name="Paul")
    other_id = (await registration.client.get("/api/v1/me", headers=other)).json()["id"]
    await amqp.publish_event(StructureStruckOff.new(SanctionData(structure_id=structure_id, reason="Manquements."),
                                                    producer="validation",
                                                    occurred_at=registration.clock.now() + timedelta(seconds=5)))

    async def deleted_ids():
        ids = {e["data"]["account_id"] for e in await registration.outbox(AccountDeleted.routing_key)}
        return ids if {str(account_id), other_id} <= ids else None

    await eventually(deleted_ids, what="referent and member deleted")
    assert [m["context"]["reason"] for m in await registration.emails("account_deleted", "paul@example.fr")] == \
        ["struck_off"]
    async with registration.db.sessions() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(members))).scalar() == 0
        assert (await session.execute(sa.select(sa.func.count()).select_from(accounts))).scalar() == 0


async def test_a_referent_deleting_their_account_takes_the_members_who_are_told_why(registration, amqp):
    referent, headers, dossier_id, account_id = await submitted_structure(registration)
    await accept(registration, amqp, dossier_id, account_id)
    member_email, member = await invite_member(registration, headers)
    assert (await registration.client.delete("/api/v1/me", headers=headers)).status_code == 202
    assert [m["context"]["reason"] for m in await registration.emails("account_deleted", referent)] == ["user_request"]
    # The member asked for nothing: the email says the structure left with its referent.
    assert [m["context"]["reason"] for m in await registration.emails("account_deleted", member_email)] == \
        ["structure_deleted"]
    assert (await registration.login(member_email)).status_code == 401


async def test_one_address_is_not_flooded_with_invitations(registration):
    body = {"email": "sought.after@example.fr", "first_name": "Zoé", "last_name": "Petit"}
    answers = [(await registration.client.post("/api/v1/structure/members", headers=await registration.headers(),
                                               json=body)).status_code for _ in range(6)]
    assert answers == [201] * 5 + [429]
    assert len(await registration.emails("member_invitation", "sought.after@example.fr")) == 5
