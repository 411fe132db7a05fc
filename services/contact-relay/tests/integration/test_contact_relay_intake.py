"""Intake: a request to a published structure is stored once, forwarded and confirmed through the outbox."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests
from activateurs.shared.messaging.tables import outbox

from ..conftest import PUBLIC, emails, outbox_events, publish_structure, request_body


async def test_request_is_stored_forwarded_confirmed_and_announced(relay, amqp):
    structure_id, slug = await publish_structure(relay, amqp, emails=("claire@numerique.fr", "julien@numerique.fr"))
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug, siret="732 829 320 00074"))
    assert response.status_code == 202, response.text
    assert set(response.json()) == {"id"}  # never the business's address in a public answer
    request_id = uuid.UUID(response.json()["id"])

    row = (await relay.rows(sa.select(contact_requests)))[0]
    assert row.id == request_id and row.structure_id == structure_id and row.status == "forwarded"
    assert row.siret == "73282932000074"
    # Tuesday 10:00 Paris → Thursday 10:00 Paris; reminder on Wednesday 10:00.
    assert row.ack_deadline.isoformat() == "2026-03-12T09:00:00+00:00"
    assert row.reminder_at.isoformat() == "2026-03-11T09:00:00+00:00"

    forwarded = await emails(relay, "contact_forwarded")
    assert sorted(mail["to"] for mail in forwarded) == ["claire@numerique.fr", "julien@numerique.fr"]
    context = forwarded[0]["context"]
    assert context["contact_email"] == "paul.martin@boulangerie.fr"
    assert context["domains"] == ["Site internet et e-commerce"]
    assert context["ack_deadline"] == "2026-03-12T10:00:00+01:00"  # shown on the structure's own clock
    link = urlparse(context["acknowledgement_url"])
    assert f"{link.scheme}://{link.netloc}" == PUBLIC
    assert link.path == f"/contact-requests/{request_id}/acknowledgement"
    assert parse_qs(link.query)["token"]
    confirmation = await emails(relay, "contact_confirmation")
    assert [mail["to"] for mail in confirmation] == ["paul.martin@boulangerie.fr"]
    assert confirmation[0]["idempotency_key"] == f"contact-relay:{request_id}:confirmation"
    events = [e for e in await outbox_events(relay) if e["routing_key"] == "contact_relay.request.forwarded.v1"]
    assert len(events) == 1 and events[0]["data"]["request_id"] == str(request_id)


async def test_forwarded_event_is_published_to_the_broker(relay, amqp):
    from tests.support.waiting import eventually

    _, slug = await publish_structure(relay, amqp)
    heard = await amqp.listen("contact_relay.request.forwarded.v1", "notifier.email.requested.v1")
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    await eventually(lambda: len(heard) >= 3, what="forwarded event and two emails on the broker")
    keys = sorted(m.routing_key for m in heard)
    assert keys == ["contact_relay.request.forwarded.v1", "notifier.email.requested.v1", "notifier.email.requested.v1"]
    forwarded = next(m for m in heard if m.routing_key == "contact_relay.request.forwarded.v1")
    assert forwarded.body["data"]["request_id"] == response.json()["id"] and forwarded.persistent


async def test_unknown_or_offline_structure_is_404_and_nothing_is_stored(relay, amqp):
    from activateurs.shared.contracts.validation import SanctionData, StructureSuspended
    from tests.support.waiting import eventually

    from ..conftest import online

    assert (await relay.http.post("/api/v1/contact-requests", json=request_body("nobody"))).status_code == 404
    structure_id, slug = await publish_structure(relay, amqp)
    await amqp.publish_event(StructureSuspended.new(SanctionData(structure_id=structure_id, reason="abus"),
                                                    producer="validation", occurred_at=relay.clock.now()))
    await eventually(lambda: _not(online(relay, slug)), what="structure offline")
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    assert response.status_code == 404 and "detail" in response.json()
    assert await relay.scalar(sa.select(sa.func.count()).select_from(contact_requests)) == 0
    assert await relay.scalar(sa.select(sa.func.count()).select_from(outbox)) == 0


async def _not(awaitable):
    return not await awaitable


BAD_FIELDS = [
    ({"company_name": "Evil\r\nBcc: all@example.fr"}, "line breaks"),
    ({"contact_name": "Paul\nMartin"}, "line breaks"),
    ({"subject": "Hello\r\nX-Spam: yes"}, "line breaks"),
    ({"email": "not-an-email"}, "email"),
    ({"postal_code": "7501"}, "postal_code"),
    ({"postal_code": "99000"}, "postal code"),
    ({"siret": "1234"}, "SIRET"),
    ({"domains": []}, "domains"),
    ({"domains": ["astrologie"]}, "domains"),
    ({"message": "x" * 5001}, "message"),
    ({"message": ""}, "message"),
    ({"phone": "call me maybe"}, "phone"),
]


async def test_bad_fields_are_422_with_a_useful_detail_and_nothing_stored(relay, amqp):
    _, slug = await publish_structure(relay, amqp)
    for change, expected in BAD_FIELDS:
        response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug, **change))
        assert response.status_code == 422, change
        assert expected.lower() in response.text.lower(), (change, response.text)
    assert await relay.scalar(sa.select(sa.func.count()).select_from(contact_requests)) == 0


async def test_oversize_body_is_413(relay, amqp):
    _, slug = await publish_structure(relay, amqp)
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug, padding="x" * 40_000))
    assert response.status_code == 413 and "detail" in response.json()
    assert await relay.scalar(sa.select(sa.func.count()).select_from(contact_requests)) == 0


async def test_honeypot_answers_like_success_but_stores_and_sends_nothing(relay, amqp):
    _, slug = await publish_structure(relay, amqp)
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug, website="http://spam.example"))
    assert response.status_code == 202
    assert await relay.scalar(sa.select(sa.func.count()).select_from(contact_requests)) == 0
    assert await relay.scalar(sa.select(sa.func.count()).select_from(outbox)) == 0


async def test_rate_limits_per_email_and_per_address_answer_429_with_retry_after(start_relay, amqp):
    relay = await start_relay(rate_limit_per_email=2, rate_limit_per_address=4, rate_limit_window_seconds=600)
    _, slug = await publish_structure(relay, amqp)
    for _ in range(2):
        assert (await relay.http.post("/api/v1/contact-requests", json=request_body(slug))).status_code == 202
    limited = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    assert limited.status_code == 429 and "email" in limited.json()["detail"]
    assert 0 < int(limited.headers["Retry-After"]) <= 2 * 600  # the sliding window is approximated: up to 2 windows
    # Another address passes the email limit, then the client address's own limit stops it.
    assert (await relay.http.post("/api/v1/contact-requests",
                                  json=request_body(slug, email="autre@example.fr"))).status_code == 202
    flood = await relay.http.post("/api/v1/contact-requests", json=request_body(slug, email="troisieme@example.fr"))
    assert flood.status_code == 429 and "address" in flood.json()["detail"]
    assert int(flood.headers["Retry-After"]) > 0
    assert await relay.scalar(sa.select(sa.func.count()).select_from(contact_requests)) == 3
