"""The whole story across the five real processes: from an account to a structure's statistics, each step asserted."""

from __future__ import annotations

from tests.e2e.journeys import (
    Person,
    business,
    case,
    dge_agent,
    open_account,
    published_slug,
    query_token,
    registration_status,
    submit_dossier,
)
from tests.support.platform import SERVICES, link_in, text_of
from tests.support.waiting import eventually


async def test_account_to_dossier_to_directory_to_contact_to_statistics(platform):
    client = platform.registration
    dge = await dge_agent(platform)
    person = Person.unusual()
    structure_name = "Atelier Numérique Quillebeuf"

    # 1. The account, verified with the link of the mail.
    await open_account(platform, person)
    me = (await client.get("/api/v1/me", headers=person.headers)).json()
    assert me["email"] == person.email and me["verified_at"] and "activator" in me["roles"]

    # 2. The dossier with its document, submitted: validation opens a case and acknowledges receipt by mail.
    dossier_id = await submit_dossier(platform, person, structure_name)
    await platform.mail(person.email, "dossier_received")
    waiting = await case(platform, dge, dossier_id, "to_review")
    assert waiting["structure_name"] == structure_name and waiting["revision"] == 1

    # 3. The DGE asks for information: the applicant is mailed and the dossier is back with them.
    asked = await platform.validation.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge, json={
        "body": "Merci de préciser vos références clients en cybersécurité.", "requests_information": True})
    assert asked.status_code == 201, asked.text
    await case(platform, dge, dossier_id, "awaiting_applicant")
    request_mail = await platform.mail(person.email, "information_requested")
    assert "références clients en cybersécurité" in text_of(request_mail)
    await registration_status(platform, person, "awaiting_applicant")
    thread = (await platform.validation.get("/api/v1/my-dossier/messages", headers=person.headers)).json()
    assert [m["author"] for m in thread["messages"]] == ["dge"] and thread["status"] == "awaiting_applicant"

    # 4. The applicant answers in the thread: the case is back to review.
    replied = await platform.validation.post("/api/v1/my-dossier/messages", headers=person.headers, json={
        "body": "Nous avons sécurisé le site de la boulangerie Martin (2024)."})
    assert replied.status_code == 201, replied.text
    await case(platform, dge, dossier_id, "to_review")

    # 5. Accepted: the applicant is mailed, registration knows the structure, a new token carries it.
    decided = await platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                             json={"decision": "accepted", "reason": "Dossier complet."})
    assert decided.status_code == 200, decided.text
    assert (await platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge, json={
        "decision": "refused", "reason": "trop tard"})).status_code == 409, "a decision is taken once"
    await platform.mail(person.email, "dossier_accepted")
    accepted_case = await case(platform, dge, dossier_id, "accepted")
    structure_id = accepted_case["structure_id"]
    me = await eventually(lambda: _structure_of(platform, person), timeout=60, interval=0.2,
                          what="the structure in GET /api/v1/me")
    assert me["structure_id"] == structure_id
    person.headers = await platform.login(person.email, person.password)

    # 6. The profile is searchable in the directory and its page is public.
    slug = await published_slug(platform, structure_name)
    profile = await platform.directory.get(f"/api/v1/activators/{slug}")
    assert profile.status_code == 200 and profile.json()["name"] == structure_name
    assert person.email not in profile.text, "the head of structure's email is never public"
    nearby = await platform.directory.get("/api/v1/activators", params={
        "postal_code": "92100", "domain": "cybersecurite", "service": "conseil"})
    assert nearby.status_code == 200 and slug in [item["slug"] for item in nearby.json()["items"]], nearby.text

    # 7. A business writes: it gets a confirmation, the structure gets the request with a one-click link.
    request = business(slug)
    sent = await platform.contact_relay.post("/api/v1/contact-requests", json=request)
    assert sent.status_code == 202, sent.text
    request_id = sent.json()["id"]
    await platform.mail(request["email"], "contact_confirmation")
    forwarded = await platform.mail(person.email, "contact_forwarded")
    assert request["company_name"] in text_of(forwarded)
    link = link_in(forwarded, f"/contact-requests/{request_id}/acknowledgement")
    inbox = (await platform.contact_relay.get("/api/v1/me/contact-requests", headers=person.headers)).json()
    assert [(item["id"], item["status"]) for item in inbox["items"]] == [(request_id, "forwarded")]

    # 8. One click on the link acknowledges it (twice is harmless); the business is told.
    token = query_token(link)
    for _ in range(2):
        acknowledged = await platform.contact_relay.post(f"/api/v1/contact-requests/{request_id}/acknowledgement",
                                                         params={"token": token})
        assert acknowledged.status_code == 200, acknowledged.text
        assert acknowledged.json()["status"] == "acknowledged"
    forged = await platform.contact_relay.post(f"/api/v1/contact-requests/{request_id}/acknowledgement",
                                               params={"token": token[:-4] + "AAAA"})
    assert forged.status_code in (400, 401, 403, 404), forged.text
    await platform.mail(request["email"], "contact_acknowledged")
    assert len(platform.mails(request["email"], "contact_acknowledged")) == 1

    # 9. The structure's statistics show the view, the contact and its acknowledgement.
    async def statistics() -> dict | None:
        answer = await platform.directory.get("/api/v1/me/statistics", headers=person.headers)
        assert answer.status_code == 200, answer.text
        totals = answer.json()["totals"]
        return totals if totals["contacts_received"] == 1 and totals["acknowledged"] == 1 \
            and totals["views"] >= 1 else None
    totals = await eventually(statistics, timeout=60, interval=0.3, what="contact and acknowledgement in statistics")
    assert totals["acknowledged_in_time"] == 1 and totals["acknowledgement_rate"] == 1.0
    assert totals["median_ack_seconds"] is not None

    # 10. Nothing went wrong on the way: no service logged an error.
    for service in SERVICES:
        assert '"level": "ERROR"' not in platform.log_text(service), f"{service} logged an error"


async def _structure_of(platform, person) -> dict | None:
    me = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()
    structure = me.get("structure") or {}
    return structure if structure.get("structure_id") else None
