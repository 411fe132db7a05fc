"""Information request → reply → acceptance, and refusal, with every event on the broker and every email at SMTP."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from activateurs.notifier.app import build_service as build_notifier
from activateurs.notifier.config import NotifierSettings
from tests.support.waiting import eventually, stays

from ..conftest import START, submitted


@pytest.fixture
async def notifier(databases, vhost, smtp, issuer):
    """The real notifier on the same broker, so the emails asked for reach the SMTP server."""
    service = build_notifier(NotifierSettings(
        database_url=await databases.fresh("notifier"), rabbitmq_url=vhost, smtp_host="127.0.0.1",
        smtp_port=smtp.port, idle_poll_seconds=0.1, outbox_poll_interval=0.1, jwks_url=issuer.jwks_url,
        jwt_issuer=issuer.issuer, jwt_audience=issuer.audience, environment="test"))
    await service.start()
    yield service
    await service.stop()


async def _submit(validation, amqp, issuer, **kwargs):
    event = submitted(**kwargs)
    await amqp.publish_event(event)

    async def stored():
        response = await validation.http.get(f"/api/v1/dossiers/{event.data.dossier_id}",
                                             headers=issuer.headers("dge_agent"))
        return response.status_code == 200

    await eventually(stored, what="the case")
    return event


async def test_information_request_reply_then_acceptance(validation, notifier, amqp, issuer, smtp):
    events = await amqp.listen("validation.#")
    event = await _submit(validation, amqp, issuer)
    dossier_id, account_id = event.data.dossier_id, event.data.account_id
    dge = issuer.headers("dge_agent")
    applicant = issuer.headers("activator", subject=str(account_id))

    asked = await validation.http.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge, json={
        "body": "Pourriez-vous joindre un extrait Kbis de moins de trois mois ?", "requests_information": True})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "awaiting_applicant"
    assert datetime.fromisoformat(asked.json()["respond_by"]) == START.replace(month=7)
    # Asking again before the applicant answered is a conflict, not a second clock.
    again = await validation.http.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge,
                                       json={"body": "Et aussi ?", "requests_information": True})
    assert again.status_code == 409

    requested = await eventually(lambda: [e for e in events if e.routing_key.endswith("information_requested.v1")],
                                 what="information_requested event")
    assert requested[0].body["data"] == {"dossier_id": str(dossier_id), "account_id": str(account_id),
                                         "message": "Pourriez-vous joindre un extrait Kbis de moins de trois mois ?",
                                         "respond_by": "2026-07-02T08:00:00Z"}

    thread = (await validation.http.get("/api/v1/my-dossier/messages", headers=applicant)).json()
    assert thread["status"] == "awaiting_applicant"
    assert [(m["author"], m["requests_information"]) for m in thread["messages"]] == [("dge", True)]
    assert "author_id" not in thread["messages"][0]  # the agent's identity stays inside the DGE

    replied = await validation.http.post("/api/v1/my-dossier/messages", headers=applicant,
                                         json={"body": "Voici le Kbis, déposé dans le dossier."})
    assert replied.status_code == 201 and replied.json()["status"] == "to_review"

    decided = await validation.http.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                         json={"decision": "accepted", "reason": "Dossier complet"})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "accepted"
    assert datetime.fromisoformat(body["engagement_expires_at"]) == START.replace(year=2028)
    twice = await validation.http.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                       json={"decision": "refused", "reason": "Non"})
    assert twice.status_code == 409 and "already accepted" in twice.json()["detail"]
    late = await validation.http.post("/api/v1/my-dossier/messages", headers=applicant, json={"body": "Merci"})
    assert late.status_code == 409

    accepted = await eventually(lambda: [e for e in events if e.routing_key == "validation.dossier.accepted.v1"],
                                what="accepted event")
    assert len(accepted) == 1 and accepted[0].persistent and accepted[0].message_id == accepted[0].body["event_id"]
    data = accepted[0].body["data"]
    assert data["structure_id"] == body["structure_id"] and data["account_id"] == str(account_id)
    assert data["engagement_expires_at"] == "2028-04-02T08:00:00Z"
    profile = data["profile"]
    assert (profile["name"], profile["department"], profile["region"]) == ("Numérique & Co", "75", "11")
    assert profile["routing"] == {"contact_emails": ["claire@numerique-et-co.fr"], "department": "75",
                                  "timezone": "Europe/Paris"}
    assert [(m["first_name"], m["avatar_initials"], m["presentation"]) for m in profile["members"]] == [
        ("Claire", "CD", "Référente")]
    assert "management" not in profile and "siret" not in profile  # never public

    # Emails owned by validation reached the SMTP server through the notifier, once each.
    mails = await eventually(lambda: smtp.mails if len(smtp.mails) >= 2 else None, what="two emails")
    assert sorted(m.message["X-Activateurs-Template"] for m in mails) == ["dossier_received", "information_requested"]
    assert {m.recipients for m in mails} == {("claire@numerique-et-co.fr",)}
    assert any("Kbis de moins de trois mois" in m.part("text/plain") for m in mails)
    await stays(lambda: len(smtp.mails) == 2, seconds=0.5, what="no third email")

    case = (await validation.http.get(f"/api/v1/dossiers/{dossier_id}", headers=dge)).json()
    assert [(h["action"], h["to_status"]) for h in case["history"]] == [
        ("submission", "to_review"), ("information_requested", "awaiting_applicant"),
        ("applicant_reply", "to_review"), ("decision", "accepted")]
    assert [m["author"] for m in case["thread"]] == ["dge", "applicant"]
    assert case["structure_state"] == "active" and case["respond_by"] is None


async def test_refusal_with_its_reason_and_bad_input(validation, amqp, issuer):
    events = await amqp.listen("validation.#")
    event = await _submit(validation, amqp, issuer)
    dossier_id = event.data.dossier_id
    dge = issuer.headers("dge_admin")
    url = f"/api/v1/dossiers/{dossier_id}/decision"

    for bad in ({"decision": "refused"}, {"decision": "refused", "reason": "  "}, {"decision": "maybe"},
                {"decision": "accepted", "reason": "x" * 6000}, {}):
        response = await validation.http.post(url, headers=dge, json=bad)
        assert response.status_code == 422 and response.json()["detail"], bad
    assert (await validation.http.post(url, headers=dge, content=b"not json")).status_code == 422
    oversize = await validation.http.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge,
                                          json={"body": "x" * 10_001})
    assert oversize.status_code == 422
    unknown = await validation.http.post(f"/api/v1/dossiers/{uuid.uuid4()}/decision", headers=dge,
                                         json={"decision": "accepted"})
    assert unknown.status_code == 404
    assert (await validation.http.get("/api/v1/dossiers/not-a-uuid", headers=dge)).status_code == 422
    nobody = await validation.http.get("/api/v1/my-dossier/messages",
                                       headers=issuer.headers("activator", subject=str(uuid.uuid4())))
    assert nobody.status_code == 404

    refused = await validation.http.post(url, headers=dge, json={"decision": "refused",
                                                                  "reason": "Activité sans lien avec le numérique"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    found = await eventually(lambda: [e for e in events if e.routing_key == "validation.dossier.refused.v1"],
                             what="refused event")
    assert found[0].body["data"] == {"dossier_id": str(dossier_id), "account_id": str(event.data.account_id),
                                     "reason": "Activité sans lien avec le numérique"}
    assert (await validation.http.post(url, headers=dge, json={"decision": "accepted"})).status_code == 409
    await stays(lambda: [e.routing_key for e in events] == ["validation.dossier.refused.v1"], seconds=0.3,
                what="only the refusal emitted")

    # Decided: a new revision (the structure applies again) reopens the case.
    await amqp.publish_event(submitted(dossier_id=dossier_id, account_id=event.data.account_id, revision=2))

    async def reopened():
        case = (await validation.http.get(f"/api/v1/dossiers/{dossier_id}", headers=dge)).json()
        return case if case["revision"] == 2 else None

    case = await eventually(reopened, what="revision 2")
    assert case["status"] == "to_review" and case["decision_reason"] is None
