"""Steps 3 and 4: the draft and its problems, the validation rules, documents, submission, and who may see what."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.registration.adapters.tables import documents, dossier_revisions, dossiers
from activateurs.registration.service.accounts import create_staff_account
from activateurs.shared.contracts.registration import DossierSubmitted
from activateurs.shared.contracts.vocabulary import Role

from ..conftest import PASSWORD, PDF, PNG, complete_dossier


def codes(body) -> dict[str, str]:
    return {problem["field"]: problem["code"] for problem in body["problems"]}


async def test_an_empty_draft_lists_everything_missing(registration):
    headers = await registration.headers()
    body = (await registration.client.get("/api/v1/dossier", headers=headers)).json()
    assert body["status"] == "draft" and body["revision"] == 0
    found = codes(body)
    for field in ("structure.name", "structure.siret", "structure.domains", "management.head_email",
                  "declarations.heads_agreement", "referent_card.phone", "structure.address.postal_code"):
        assert field in found, field


async def test_a_complete_draft_needs_its_proof_of_existence_then_has_no_problem(registration):
    headers = await registration.headers()
    answer = await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())
    assert answer.status_code == 200
    assert codes(answer.json()) == {"documents": "missing_document"}
    uploaded = await registration.upload(headers, "extrait_immatriculation")
    assert uploaded.status_code == 201
    body = (await registration.client.get("/api/v1/dossier", headers=headers)).json()
    assert body["problems"] == [] and body["structure"]["name"] == "Numérique & Co"
    assert body["derived"] == {"department": "75", "region": "11"}


async def test_the_rules_siret_la_poste_postal_codes_dates_urls_emails(registration):
    headers = await registration.headers()
    await registration.upload(headers, "extrait_immatriculation")
    await registration.upload(headers, "justificatif_existence")

    async def problems_of(document):
        answer = await registration.client.put("/api/v1/dossier", headers=headers, json=document)
        assert answer.status_code == 200, answer.text
        return codes(answer.json()), answer.json()["derived"]

    found, _ = await problems_of(complete_dossier(siret="73282932000075"))
    assert found == {"structure.siret": "invalid_siret"}
    assert (await problems_of(complete_dossier(siret="356 000 000 00048")))[0] == {}  # La Poste (checksum by 5)
    assert (await problems_of(complete_dossier(siret=None, no_siret_reason="Société belge (BCE 0123.456.789)")))[0] \
        == {}
    assert (await problems_of(complete_dossier(siret=None)))[0] == {"structure.siret": "required"}

    for postal_code, department, region in (("20090", "2A", "94"), ("20200", "2B", "94"), ("97400", "974", "04"),
                                            ("97600", "976", "06"), ("98800", "988", "988"), ("57000", "57", "44")):
        found, derived = await problems_of(complete_dossier(address={
            "street": "1 rue", "postal_code": postal_code, "city": "X"},
            intervention_area={"departments": [department], "national": False}))
        assert found == {} and derived == {"department": department, "region": region}, postal_code
    for postal_code in ("96000", "00100", "7501", "ABCDE"):
        found, _ = await problems_of(complete_dossier(address={"street": "1 rue", "postal_code": postal_code,
                                                               "city": "X"}))
        assert found == {"structure.address.postal_code": "invalid_postal_code"}, postal_code

    recent = (registration.clock.now() - timedelta(days=60)).date().isoformat()
    assert (await problems_of(complete_dossier(created_on=recent)))[0] == {
        "structure.experience_declaration": "required"}
    assert (await problems_of(complete_dossier(created_on=recent,
                                               experience_declaration="8 ans comme consultante indépendante")))[0] == {}
    future = (registration.clock.now() + timedelta(days=3)).date().isoformat()
    assert (await problems_of(complete_dossier(created_on=future)))[0] == {"structure.created_on": "in_future"}

    found, _ = await problems_of(complete_dossier(website="javascript:alert(1)", social_links=["not a url"],
                                                  intervention_area={"departments": ["99"], "national": False}))
    assert found == {"structure.website": "invalid_url", "structure.social_links[0]": "invalid_url",
                     "structure.intervention_area.departments[0]": "invalid_department"}
    document = complete_dossier()
    document["management"]["head_email"] = "claire@"
    document["declarations"]["heads_agreement"] = False
    assert (await problems_of(document))[0] == {"management.head_email": "invalid_email",
                                                "declarations.heads_agreement": "declaration_required"}


async def test_wrong_types_and_unknown_codes_are_refused_without_touching_the_draft(registration):
    headers = await registration.headers()
    await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())
    bad_documents = [
        complete_dossier(structure_type="multinationale"),
        complete_dossier(domains=["astrologie"]),
        complete_dossier(headcount_band="12"),
        complete_dossier(created_on="le 1er mars"),
        complete_dossier(name={"nested": "object"}),
        complete_dossier(description="x" * 6000),
        {"structure": "not an object"},
        [1, 2, 3],
    ]
    huge = await registration.client.put("/api/v1/dossier", headers=headers,
                                         json=complete_dossier(client_references=["x" * 199] * 2000))
    assert huge.status_code == 413
    for document in bad_documents:
        answer = await registration.client.put("/api/v1/dossier", headers=headers, json=document)
        assert answer.status_code == 422 and answer.json()["detail"], document
    body = (await registration.client.get("/api/v1/dossier", headers=headers)).json()
    assert body["structure"]["structure_type"] == "entreprise_services_numeriques"
    assert body["structure"]["description"].startswith("Accompagnement")


async def test_documents_are_checked_by_content_and_size_and_kept_with_their_sha256(start_registration):
    registration = await start_registration(max_document_bytes=4096)
    headers = await registration.headers()
    stored = await registration.upload(headers, "extrait_immatriculation", PDF, "kbis.pdf")
    assert stored.status_code == 201
    document_id = stored.json()["id"]
    assert stored.json()["sha256"] == hashlib.sha256(PDF).hexdigest() and stored.json()["content_type"] == \
        "application/pdf"
    photo = await registration.upload(headers, "photo", PNG, "moi.png")
    assert photo.status_code == 201 and photo.json()["content_type"] == "image/png"

    executable = await registration.upload(headers, "extrait_immatriculation", b"MZ\x90\x00" + b"\x00" * 100,
                                           "kbis.pdf")
    assert executable.status_code == 415
    assert (await registration.upload(headers, "extrait_immatriculation", b"#!/bin/sh\nrm -rf /", "a.pdf")) \
        .status_code == 415
    assert (await registration.upload(headers, "photo", PDF, "photo.png")).status_code == 415  # a photo is an image
    assert (await registration.upload(headers, "extrait_immatriculation", PDF + b"0" * 5000)).status_code == 413
    assert (await registration.upload(headers, "extrait_immatriculation", PDF + b"0" * 200_000)).status_code == 413
    assert (await registration.upload(headers, "passeport")).status_code == 422
    assert (await registration.upload(headers, "autre", b"")).status_code == 422
    no_file = await registration.client.post("/api/v1/dossier/documents", headers=headers, data={"kind": "autre"})
    assert no_file.status_code in (400, 422)
    assert (await registration.client.post("/api/v1/dossier/documents", headers=headers,
                                           json={"kind": "autre"})).status_code == 400

    listed = (await registration.client.get("/api/v1/dossier/documents", headers=headers)).json()
    assert sorted(d["kind"] for d in listed) == ["extrait_immatriculation", "photo"]
    content = await registration.client.get(f"/api/v1/dossier/documents/{document_id}", headers=headers)
    assert content.status_code == 200 and content.content == PDF
    assert content.headers["content-type"] == "application/pdf"
    async with registration.db.sessions() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(documents))).scalar() == 2


async def test_one_activator_reaches_only_their_own_dossier_and_documents(registration, issuer):
    alice, bob = await registration.headers(), await registration.headers()
    photo = (await registration.upload(alice, "photo", PNG, "alice.png")).json()["id"]
    document = (await registration.upload(alice, "extrait_immatriculation")).json()["id"]
    await registration.client.put("/api/v1/dossier", headers=alice, json=complete_dossier())

    assert (await registration.client.get("/api/v1/dossier", headers=bob)).json()["structure"]["name"] is None
    assert (await registration.client.get(f"/api/v1/dossier/documents/{document}", headers=bob)).status_code == 404
    assert (await registration.client.get(f"/api/v1/dossier/documents/{uuid.uuid4()}", headers=bob)).status_code \
        == 404
    assert (await registration.client.get("/api/v1/dossier/documents/not-a-uuid", headers=bob)).status_code == 422
    stolen = complete_dossier()
    stolen["referent_card"]["photo_document_id"] = photo
    answer = await registration.client.put("/api/v1/dossier", headers=bob, json=stolen)
    assert answer.status_code == 422 and "own" in answer.json()["detail"]
    own = (await registration.client.put("/api/v1/dossier", headers=alice, json=stolen))
    assert own.status_code == 200

    # DGE roles read documents; other roles and anonymous callers do not reach dossiers at all.
    await create_staff_account(registration.deps, email="agent@dge.example.fr", password=PASSWORD,
                               roles=[Role.DGE_AGENT])
    dge = await registration.headers("agent@dge.example.fr")
    assert (await registration.client.get(f"/api/v1/dossier/documents/{document}", headers=dge)).status_code == 200
    # A DREETS agent reads the documents of its region's dossiers only (this one is in Paris: Île-de-France, 11).
    for email, region in (("dreets@idf.example.fr", "11"), ("dreets@ara.example.fr", "84")):
        await create_staff_account(registration.deps, email=email, password=PASSWORD, roles=[Role.DREETS_AGENT],
                                   region=region)
    paris = await registration.client.get(f"/api/v1/dossier/documents/{document}",
                                          headers=await registration.headers("dreets@idf.example.fr"))
    assert paris.status_code == 200 and paris.content.startswith(b"%PDF")
    lyon = await registration.client.get(f"/api/v1/dossier/documents/{document}",
                                         headers=await registration.headers("dreets@ara.example.fr"))
    assert lyon.status_code == 404, "another region's document answers as an unknown one"
    assert (await registration.client.put("/api/v1/dossier", headers=dge, json=complete_dossier())).status_code == 403
    assert (await registration.client.get("/api/v1/dossier")).status_code == 401
    assert (await registration.upload({}, "autre")).status_code == 401
    assert (await registration.client.get("/api/v1/dossier", headers=issuer.headers("activator"))).status_code == 401


async def test_submission_freezes_a_revision_and_emits_the_full_snapshot(registration):
    email = await registration.signup()
    headers = await registration.headers(email)
    charter = (await registration.client.get("/api/v1/charter")).json()
    assert charter["version"] == 1 and charter["published_at"].startswith("2022-03-16")
    assert "activateur" in charter["text"].lower()

    incomplete = await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                                json={"charter_version": 1, "accept_charter": True})
    assert incomplete.status_code == 422 and incomplete.json()["problems"]
    await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())
    document = (await registration.upload(headers, "extrait_immatriculation")).json()

    stale = await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                           json={"charter_version": 2, "accept_charter": True})
    assert stale.status_code == 409 and "current" in stale.json()["detail"]
    refused = await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                             json={"charter_version": 1, "accept_charter": False})
    assert refused.status_code == 422
    assert (await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                           json={"charter_version": "un"})).status_code == 422
    assert not await registration.outbox(DossierSubmitted.routing_key)

    submitted = await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                               json={"charter_version": 1, "accept_charter": True})
    assert submitted.status_code == 202
    body = submitted.json()
    assert body["revision"] == 1 and body["status"] == "submitted"

    [event] = await registration.outbox(DossierSubmitted.routing_key)
    data = DossierSubmitted.model_validate(event).data
    assert str(data.dossier_id) == body["dossier_id"] and data.revision == 1 and data.charter_version == 1
    assert data.structure.structure.siret == "73282932000074" and data.structure.management.head_last_name == "Durand"
    assert [(str(d.id), d.kind, d.sha256) for d in data.documents] == [
        (document["id"], "extrait_immatriculation", hashlib.sha256(PDF).hexdigest())]
    assert data.members[0].email == email and data.members[0].is_referent
    assert await registration.emails("dossier_received", email) == []  # validation's, once the case exists

    # Frozen: no edit and no second submission while the DGE has it.
    assert (await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier(name="Autre"))) \
        .status_code == 409
    assert (await registration.client.post("/api/v1/dossier/submission", headers=headers,
                                           json={"charter_version": 1, "accept_charter": True})).status_code == 409
    async with registration.db.sessions() as session:
        revisions = (await session.execute(sa.select(dossier_revisions.c.revision))).scalars().all()
        status = (await session.execute(sa.select(dossiers.c.status))).scalar()
    assert revisions == [1] and status == "submitted"
    me = (await registration.client.get("/api/v1/me", headers=headers)).json()
    assert me["structure"]["status"] == "submitted" and me["structure"]["name"] == "Numérique & Co"
