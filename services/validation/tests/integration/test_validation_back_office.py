"""The back-office's reads: the queue's filters, the accepted structures with their history, the audit chain's check."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from activateurs.shared.contracts.registration import (
    EngagementRenewed,
    EngagementRenewedData,
    StructureLeftData,
    StructureWithdrawn,
)
from activateurs.shared.messaging.tables import inbox
from tests.support.waiting import eventually

from ..conftest import START, submitted


async def _received(validation, amqp, issuer, *events) -> None:
    """Each submission published, then waited for until the DGE's queue holds them all."""
    for event in events:
        await amqp.publish_event(event)
    dge = issuer.headers("dge_agent")

    async def stored():
        return (await validation.http.get("/api/v1/dossiers", headers=dge)).json()["total"] == len(events)

    await eventually(stored, what=f"{len(events)} cases")


async def _accept(validation, issuer, event) -> str:
    decided = await validation.http.post(f"/api/v1/dossiers/{event.data.dossier_id}/decision",
                                         headers=issuer.headers("dge_agent"), json={"decision": "accepted"})
    assert decided.status_code == 200, decided.text
    return decided.json()["structure_id"]


def _ids(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["dossier_id"] for item in answer.json()["items"]]


async def test_the_queue_filters_by_region_pre_check_name_and_waiting(validation, amqp, issuer):
    paris = submitted(structure={"name": "Numérique & Co"}, postal_code="75011", submitted_at=START)
    lyon = submitted(structure={"name": "Lyon 100% Digital"}, postal_code="69003", submitted_at=START + timedelta(hours=1),
                     declarations={"heads_agreement": False})  # a pre-check fails
    creteil = submitted(structure={"name": "Atelier numérique du Val"}, postal_code="94000",  # Île-de-France too
                        submitted_at=START + timedelta(hours=2))
    decided = submitted(structure={"name": "Déjà acceptée"}, postal_code="75002", submitted_at=START - timedelta(days=1))
    await _received(validation, amqp, issuer, paris, lyon, creteil, decided)
    await _accept(validation, issuer, decided)
    dge = issuer.headers("dge_agent")
    assert (await validation.http.post(f"/api/v1/dossiers/{lyon.data.dossier_id}/messages", headers=dge, json={
        "body": "Pouvez-vous préciser ?", "requests_information": True})).status_code == 201
    # No pre-check passes while the website is not fetched: one summary set to pass, to filter on it.
    async with validation.db.uow() as uow:
        await uow.session.execute(sa.text(
            """UPDATE cases SET precheck_summary = precheck_summary || '{"overall": "pass"}' WHERE dossier_id = :id"""),
            {"id": creteil.data.dossier_id})
        await uow.commit()

    def get(params, headers=dge):
        return validation.http.get("/api/v1/dossiers", params=params, headers=headers)

    p, ly, cr, dd = (str(e.data.dossier_id) for e in (paris, lyon, creteil, decided))
    # Without the new parameters, as before: everything, oldest waiting first.
    assert _ids(await get({})) == [dd, p, ly, cr]
    assert _ids(await get({"region": "11"})) == [dd, p, cr]
    assert _ids(await get({"region": "84"})) == [ly]
    assert _ids(await get({"precheck": "fail"})) == [ly]
    assert _ids(await get({"precheck": "to_check"})) == [dd, p]
    assert _ids(await get({"precheck": "pass"})) == [cr]
    assert _ids(await get({"q": "NUM"})) == [p, cr]                   # any case
    assert _ids(await get({"q": "  numérique "})) == [p, cr]          # spaces around ignored
    assert _ids(await get({"q": "100%"})) == [ly]                     # % and _ are themselves, not wildcards
    assert _ids(await get({"q": "%"})) == [ly]
    assert _ids(await get({"q": "_"})) == []
    assert _ids(await get({"waiting": "true"})) == [p, ly, cr]
    assert _ids(await get({"waiting": "false"})) == [dd, p, ly, cr]
    assert _ids(await get({"waiting": "true", "status": "awaiting_applicant"})) == [ly]
    assert _ids(await get({"waiting": "true", "region": "11", "precheck": "to_check", "q": "co"})) == [p]
    page = (await get({"waiting": "true", "page": 2, "page_size": 2})).json()
    assert page["total"] == 3 and [i["dossier_id"] for i in page["items"]] == [cr]

    # A DREETS agent: its own region by default or when asked; another region is refused, not emptied.
    regional = issuer.headers("dreets_agent", region="11")
    assert _ids(await get({}, regional)) == [dd, p, cr]
    assert _ids(await get({"region": "11", "waiting": "true"}, regional)) == [p, cr]
    other = await get({"region": "84"}, regional)
    assert other.status_code == 403 and "own region only (11)" in other.json()["detail"]
    assert (await get({}, issuer.headers("dreets_agent"))).status_code == 403  # no region in its token
    assert (await get({}, issuer.headers("activator", subject=str(paris.data.account_id)))).status_code == 403

    for bad in ({"precheck": "maybe"}, {"region": "99"}, {"region": "abc"}, {"region": "1"}, {"q": "x" * 201},
                {"q": "a\x00b"}, {"waiting": "perhaps"}, {"status": "published"}):
        refused = await get(bad)
        assert refused.status_code == 422, bad
        assert refused.json()["detail"], bad
    unknown_region = await get({"region": "99"}, regional)
    assert unknown_region.status_code == 422 and "99" in unknown_region.json()["detail"]


async def test_the_accepted_structures_their_standing_and_history(validation, amqp, issuer):
    paris = submitted(structure={"name": "Numérique & Co"}, postal_code="75011")
    creteil = submitted(structure={"name": "atelier du web"}, postal_code="94000")
    lyon = submitted(structure={"name": "Lyon Digital"}, postal_code="69003")
    pending = submitted(structure={"name": "En attente"}, postal_code="75012")
    await _received(validation, amqp, issuer, paris, creteil, lyon, pending)
    dge = issuer.headers("dge_agent")
    assert (await validation.http.post(f"/api/v1/dossiers/{paris.data.dossier_id}/messages", headers=dge, json={
        "body": "Votre attestation ?", "requests_information": True})).status_code == 201
    assert (await validation.http.post("/api/v1/my-dossier/messages", json={"body": "La voici"},
                                       headers=issuer.headers("activator", subject=str(paris.data.account_id)))
            ).status_code == 201
    validation.clock.advance(timedelta(hours=1))
    sid = {name: await _accept(validation, issuer, event)
           for name, event in (("paris", paris), ("creteil", creteil), ("lyon", lyon))}
    validation.clock.advance(timedelta(hours=1))
    assert (await validation.http.post(f"/api/v1/structures/{sid['lyon']}/suspension", headers=dge,
                                       json={"reason": "Signalements répétés"})).status_code == 200
    renewed_until = START + timedelta(days=1500)
    await amqp.publish_event(EngagementRenewed.new(EngagementRenewedData(
        structure_id=uuid.UUID(sid["paris"]), engagement_expires_at=renewed_until), producer="registration",
        occurred_at=START))
    await amqp.publish_event(StructureWithdrawn.new(StructureLeftData(
        structure_id=uuid.UUID(sid["creteil"]), reason="Cessation d'activité"), producer="registration",
        occurred_at=START))

    def get(params=None, headers=dge):
        return validation.http.get("/api/v1/structures", params=params or {}, headers=headers)

    async def applied():
        body = (await get()).json()
        states = {item["structure_name"]: item["structure_state"] for item in body["items"]}
        return body if states["atelier du web"] == "withdrawn" and \
            body["items"][2]["engagement_expires_at"].startswith(renewed_until.date().isoformat()) else None

    listed = await eventually(applied, what="the renewal and the withdrawal")
    # Accepted structures only (not the pending case), by name whatever its case, then id.
    assert listed["total"] == 3 and listed["page"] == 1 and listed["page_size"] == 50
    assert [(i["structure_name"], i["structure_state"], i["region"], i["department"]) for i in listed["items"]] == [
        ("atelier du web", "withdrawn", "11", "94"), ("Lyon Digital", "suspended", "84", "69"),
        ("Numérique & Co", "active", "11", "75")]
    first = listed["items"][0]
    assert first["structure_id"] == sid["creteil"] and first["dossier_id"] == str(creteil.data.dossier_id)
    assert set(first) == {"structure_id", "dossier_id", "structure_name", "department", "region", "structure_state",
                          "decided_at", "engagement_expires_at"}
    assert datetime.fromisoformat(first["decided_at"]) == START + timedelta(hours=1)

    def names(answer):
        assert answer.status_code == 200, answer.text
        return [item["structure_name"] for item in answer.json()["items"]]

    assert names(await get({"status": "suspended"})) == ["Lyon Digital"]
    assert names(await get({"status": "withdrawn"})) == ["atelier du web"]
    assert names(await get({"status": "struck_off"})) == []
    assert names(await get({"q": "WEB"})) == ["atelier du web"]
    assert names(await get({"region": "84"})) == ["Lyon Digital"]
    assert names(await get({"region": "11", "status": "active"})) == ["Numérique & Co"]
    page = (await get({"page": 2, "page_size": 1})).json()
    assert page["total"] == 3 and [i["structure_name"] for i in page["items"]] == ["Lyon Digital"]

    # The structure and every step of its dossier, oldest first.
    detail = await validation.http.get(f"/api/v1/structures/{sid['paris']}", headers=dge)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["structure_id"] == sid["paris"] and body["structure_state"] == "active"
    assert body["engagement_expires_at"].startswith(renewed_until.date().isoformat())
    assert [(h["action"], h["from_status"], h["to_status"]) for h in body["history"]] == [
        ("submission", None, "to_review"), ("information_requested", "to_review", "awaiting_applicant"),
        ("applicant_reply", "awaiting_applicant", "to_review"), ("decision", "to_review", "accepted"),
        ("engagement_renewed", "active", "active")]
    assert body["history"][-1]["actor"] == "registration"
    assert body["history"][-1]["reason"] == f"engagement until {renewed_until.date().isoformat()}"
    assert body["history"][3]["actor"].startswith("dge_agent:")
    assert set(body["history"][0]) == {"at", "actor", "action", "from_status", "to_status", "reason"}
    suspended = (await validation.http.get(f"/api/v1/structures/{sid['lyon']}", headers=dge)).json()
    assert [(h["action"], h["to_status"], h["reason"]) for h in suspended["history"]][-1] == (
        "sanction:suspend", "suspended", "Signalements répétés")
    withdrawn = (await validation.http.get(f"/api/v1/structures/{sid['creteil']}", headers=dge)).json()
    assert [(h["action"], h["reason"]) for h in withdrawn["history"]][-1] == (
        "structure_withdrawn", "Cessation d'activité")
    # An older renewal arriving late moves nothing and adds no step (the case's history is the same list).
    late = EngagementRenewed.new(EngagementRenewedData(
        structure_id=uuid.UUID(sid["paris"]), engagement_expires_at=renewed_until - timedelta(days=1)),
        producer="registration", occurred_at=START)
    await amqp.publish_event(late)

    async def processed():
        async with validation.db.sessions() as session:
            return (await session.execute(sa.select(inbox.c.event_id).where(inbox.c.event_id == late.event_id))
                    ).first() is not None

    await eventually(processed, what="the late renewal consumed")
    assert (await validation.http.get(f"/api/v1/dossiers/{paris.data.dossier_id}", headers=dge)).json()["history"] \
        == body["history"]

    # A DREETS agent: its region's structures; another region's is refused in the list and unknown in detail.
    regional = issuer.headers("dreets_agent", region="11")
    assert names(await get({}, regional)) == ["atelier du web", "Numérique & Co"]
    assert names(await get({"region": "11", "q": "numérique"}, regional)) == ["Numérique & Co"]
    other = await get({"region": "84"}, regional)
    assert other.status_code == 403 and "region" in other.json()["detail"]
    assert (await validation.http.get(f"/api/v1/structures/{sid['paris']}", headers=regional)).status_code == 200
    hidden = await validation.http.get(f"/api/v1/structures/{sid['lyon']}", headers=regional)
    assert hidden.status_code == 404 and hidden.json()["detail"] == "no such structure"
    assert (await validation.http.get(f"/api/v1/structures/{sid['lyon']}",
                                      headers=issuer.headers("dreets_agent", region="84"))).status_code == 200
    assert (await get({}, issuer.headers("dreets_agent"))).status_code == 403

    activator = issuer.headers("activator", subject=str(paris.data.account_id), structure_id=sid["paris"])
    assert (await get({}, activator)).status_code == 403
    assert (await validation.http.get(f"/api/v1/structures/{sid['paris']}", headers=activator)).status_code == 403
    assert (await validation.http.get("/api/v1/structures")).status_code == 401
    unknown = await validation.http.get(f"/api/v1/structures/{uuid.uuid4()}", headers=dge)
    assert unknown.status_code == 404 and unknown.json()["detail"]
    not_a_structure = await validation.http.get(f"/api/v1/structures/{pending.data.dossier_id}", headers=dge)
    assert not_a_structure.status_code == 404  # a dossier id is not a structure id
    assert (await validation.http.get("/api/v1/structures/not-an-id", headers=dge)).status_code == 422
    for bad in ({"status": "accepted"}, {"status": "bogus"}, {"region": "99"}, {"q": "x" * 201}, {"q": "a\x00"},
                {"page": 0},
                {"page_size": 201}):
        refused = await get(bad)
        assert refused.status_code == 422 and refused.json()["detail"], bad


async def test_the_audit_chain_verification_answers_intact_then_where_it_was_altered(validation, amqp, issuer):
    event = submitted()
    await _received(validation, amqp, issuer, event)
    structure_id = await _accept(validation, issuer, event)
    dge = issuer.headers("dge_agent")
    for path, reason in (("suspension", "Signalements"), ("strike-off", "Manquements")):
        assert (await validation.http.post(f"/api/v1/structures/{structure_id}/{path}", headers=dge,
                                           json={"reason": reason})).status_code == 200
    url = "/api/v1/audit-log/verification"

    intact = await validation.http.get(url, headers=dge)
    assert intact.status_code == 200, intact.text
    body = intact.json()
    assert body == {"intact": True, "records": 3, "first_broken_seq": None, "verified_at": body["verified_at"]}
    assert datetime.fromisoformat(body["verified_at"]) == validation.clock.now()
    assert (await validation.http.get(url, headers=issuer.headers("dge_admin"))).json()["intact"] is True

    # Someone with the database's rights bypasses the append-only trigger and rewrites a reason.
    parsed = make_url(validation.db.url)
    conn = await asyncpg.connect(host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database)
    try:
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        await conn.execute("UPDATE audit_log SET reason = 'Aucune raison' WHERE seq = 2")
    finally:
        await conn.close()
    broken = (await validation.http.get(url, headers=dge)).json()
    assert broken["intact"] is False and broken["first_broken_seq"] == 2 and broken["records"] == 3

    for headers in (issuer.headers("dreets_agent", region="11"), issuer.headers("activator")):
        refused = await validation.http.get(url, headers=headers)
        assert refused.status_code == 403 and refused.json()["detail"]
    assert (await validation.http.get(url)).status_code == 401
    openapi = (await validation.http.get("/openapi.json")).json()
    assert {url, "/api/v1/structures", "/api/v1/structures/{structure_id}"} <= set(openapi["paths"])
    parameters = {p["name"] for p in openapi["paths"]["/api/v1/dossiers"]["get"]["parameters"]}
    assert {"status", "region", "precheck", "q", "waiting", "page", "page_size"} <= parameters
