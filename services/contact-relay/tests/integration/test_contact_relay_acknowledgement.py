"""Acknowledgement by the email link or in the activator's space: once, the business told, forgeries refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlparse

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests

from ..conftest import emails, outbox_events, publish_structure, request_body


async def _request(relay, amqp, **kwargs):
    structure_id, slug = await publish_structure(relay, amqp, **kwargs)
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    assert response.status_code == 202
    request_id = response.json()["id"]
    link = (await emails(relay, "contact_forwarded"))[0]["context"]["acknowledgement_url"]
    parsed = urlparse(link)
    return structure_id, request_id, f"/api{parsed.path.replace('/contact-requests', '/v1/contact-requests')}?{parsed.query}"


async def _acknowledged(relay):
    events = [e for e in await outbox_events(relay) if e["routing_key"] == "contact_relay.request.acknowledged.v1"]
    return events, await emails(relay, "contact_acknowledged")


async def test_one_click_link_acknowledges_once_and_tells_the_business(relay, amqp):
    structure_id, request_id, api_link = await _request(relay, amqp)
    relay.clock.advance(timedelta(hours=3))
    first = await relay.http.post(api_link)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "acknowledged"
    again = await relay.http.post(api_link)  # a second click: same answer, nothing sent twice
    assert again.status_code == 200 and again.json() == first.json()
    events, mails = await _acknowledged(relay)
    assert len(events) == 1 and events[0]["data"]["request_id"] == request_id
    assert events[0]["data"]["structure_id"] == str(structure_id)
    assert [m["to"] for m in mails] == ["paul.martin@boulangerie.fr"]
    assert mails[0]["context"]["profile_url"].startswith("https://activateurs.example.fr/activateurs/")
    row = (await relay.rows(sa.select(contact_requests)))[0]
    assert row.status == "acknowledged" and row.acknowledged_at == relay.clock.now()


async def test_activator_of_the_structure_acknowledges_with_its_token(relay, amqp, issuer):
    structure_id, request_id, _ = await _request(relay, amqp)
    path = f"/api/v1/contact-requests/{request_id}/acknowledgement"
    other = await relay.http.post(path, headers=issuer.headers("activator", structure_id=str(uuid.uuid4())))
    assert other.status_code == 403
    dge = await relay.http.post(path, headers=issuer.headers("dge_agent"))
    assert dge.status_code == 403
    assert (await relay.http.post(path)).status_code == 401
    assert (await relay.http.post(path, headers={"Authorization": "Bearer forged"})).status_code == 401
    mine = await relay.http.post(path, headers=issuer.headers("activator", structure_id=str(structure_id)))
    assert mine.status_code == 200 and mine.json()["status"] == "acknowledged"
    assert len((await _acknowledged(relay))[1]) == 1


async def test_forged_other_requests_and_expired_links_are_refused(relay, amqp):
    _, request_id, api_link = await _request(relay, amqp)
    token = api_link.split("token=")[1]
    expires, _, mac = token.partition(".")
    path = f"/api/v1/contact-requests/{request_id}/acknowledgement"
    forged = [f"{expires}.{mac[:-2]}xy", f"{int(expires) + 999999}.{mac}", "nonsense", "1.", ""]
    for bad in forged:
        response = await relay.http.post(path, params={"token": bad} if bad else None)
        assert response.status_code in (401, 403), (bad, response.text)
    # The link of one request does not acknowledge another one (replayed on another id).
    other = await relay.http.post(f"/api/v1/contact-requests/{uuid.uuid4()}/acknowledgement", params={"token": token})
    assert other.status_code == 404
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(
        (await relay.rows(sa.text("SELECT slug FROM structures")))[0].slug, email="x@example.fr"))
    second_id = response.json()["id"]
    replayed = await relay.http.post(f"/api/v1/contact-requests/{second_id}/acknowledgement", params={"token": token})
    assert replayed.status_code == 403
    assert (await relay.http.post("/api/v1/contact-requests/not-a-uuid/acknowledgement",
                                  params={"token": token})).status_code == 422
    relay.clock.advance(timedelta(days=31))
    expired = await relay.http.post(api_link)
    assert expired.status_code == 403 and "expired" in expired.json()["detail"]
    events, mails = await _acknowledged(relay)
    assert events == [] and mails == []


async def test_the_inbox_lists_the_structures_requests_with_deadlines(relay, amqp, issuer):
    structure_id, request_id, api_link = await _request(relay, amqp)
    await relay.http.post(api_link)
    response = await relay.http.get("/api/v1/me/contact-requests",
                                    headers=issuer.headers("activator", structure_id=str(structure_id)))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == request_id and item["status"] == "acknowledged"
    assert {"received_at", "ack_deadline", "acknowledged_at"} <= set(item)
    others = await relay.http.get("/api/v1/me/contact-requests",
                                  headers=issuer.headers("activator", structure_id=str(uuid.uuid4())))
    assert others.json()["total"] == 0
    assert (await relay.http.get("/api/v1/me/contact-requests")).status_code == 401
    assert (await relay.http.get("/api/v1/me/contact-requests", headers=issuer.headers("dge_agent"))).status_code == 403


async def test_an_inbox_item_shows_the_business_contact_details_to_its_structure_only(relay, amqp, issuer):
    structure_id, request_id, _ = await _request(relay, amqp)
    path = f"/api/v1/me/contact-requests/{request_id}"
    mine = await relay.http.get(path, headers=issuer.headers("activator", structure_id=str(structure_id)))
    assert mine.status_code == 200, mine.text
    item = mine.json()
    assert item["id"] == request_id and item["status"] == "forwarded"
    assert item["email"] == "paul.martin@boulangerie.fr" and {"phone", "siret", "redirect_note"} <= set(item)
    other = await relay.http.get(path, headers=issuer.headers("activator", structure_id=str(uuid.uuid4())))
    assert other.status_code == 404
    assert (await relay.http.get(path)).status_code == 401
    assert (await relay.http.get(path, headers=issuer.headers("dge_agent"))).status_code == 403
    assert (await relay.http.get(f"/api/v1/me/contact-requests/{uuid.uuid4()}",
                                 headers=issuer.headers("activator", structure_id=str(structure_id)))).status_code == 404


async def test_the_link_reads_its_request_and_changes_nothing(relay, amqp):
    """GET /api/v1/contact-requests/{id}?token= feeds the landing page: the mail's contents, no acknowledgement."""
    _, request_id, api_link = await _request(relay, amqp)
    token = api_link.split("token=", 1)[1]
    read = await relay.http.get(f"/api/v1/contact-requests/{request_id}", params={"token": token})
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["id"] == request_id and body["status"] == "forwarded" and body["acknowledged_at"] is None
    assert body["company_name"] and body["message"] and body["structure_name"]
    assert (await _acknowledged(relay)) == ([], []), "reading the request acknowledges nothing"
    other = await relay.http.get(f"/api/v1/contact-requests/{uuid.uuid4()}", params={"token": token})
    assert other.status_code == 404
    forged = await relay.http.get(f"/api/v1/contact-requests/{request_id}", params={"token": token[:-3] + "abc"})
    assert forged.status_code == 403
    assert (await relay.http.get(f"/api/v1/contact-requests/{request_id}")).status_code == 422
    await relay.http.post(api_link)
    assert (await relay.http.get(f"/api/v1/contact-requests/{request_id}", params={"token": token})).json()[
        "status"] == "acknowledged"
