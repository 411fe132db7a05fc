"""A flood on the public intake: the per-replica limits hold under concurrency, the rest is 429 + Retry-After."""

from __future__ import annotations

import asyncio
from collections import Counter

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests

from ..conftest import publish_structure, request_body


async def test_a_concurrent_flood_from_one_address_gets_exactly_the_limit_then_429(start_relay, amqp):
    relay = await start_relay(rate_limit_per_address=10, rate_limit_per_email=1000, rate_limit_window_seconds=3600)
    _, slug = await publish_structure(relay, amqp)
    bodies = [request_body(slug, email=f"client{i}@example.fr") for i in range(40)]
    answers = await asyncio.gather(*(relay.http.post("/api/v1/contact-requests", json=body) for body in bodies))

    assert Counter(a.status_code for a in answers) == {202: 10, 429: 30}
    for refused in (a for a in answers if a.status_code == 429):
        assert "address" in refused.json()["detail"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # What was refused left no trace; what was accepted is all stored, once.
    ids = {a.json()["id"] for a in answers if a.status_code == 202}
    stored = await relay.rows(sa.select(contact_requests.c.id))
    assert {str(row.id) for row in stored} == ids


async def test_one_business_address_flooding_through_many_clients_is_limited_too(start_relay, amqp):
    relay = await start_relay(rate_limit_per_address=1000, rate_limit_per_email=3, rate_limit_window_seconds=3600)
    _, slug = await publish_structure(relay, amqp)
    # The same address in any case or spacing is one business.
    variants = ["Paul.Martin@Boulangerie.fr", "paul.martin@boulangerie.fr", "PAUL.MARTIN@BOULANGERIE.FR"] * 4
    answers = await asyncio.gather(*(relay.http.post("/api/v1/contact-requests", json=request_body(slug, email=e))
                                     for e in variants))
    assert Counter(a.status_code for a in answers) == {202: 3, 429: 9}
    assert all("email" in a.json()["detail"] and int(a.headers["Retry-After"]) > 0
               for a in answers if a.status_code == 429)
    assert await relay.scalar(sa.select(sa.func.count()).select_from(contact_requests)) == 3
