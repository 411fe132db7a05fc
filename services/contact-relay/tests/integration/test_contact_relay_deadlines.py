"""The deadline sweeper: reminder at half time, overdue at the deadline, each fired once across replicas."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests
from activateurs.contact_relay.service import sweeper

from ..conftest import emails, outbox_events, publish_structure, request_body


async def _sweep(relay):
    return await sweeper.sweep(relay.db, relay.service.links)


async def _events(relay, key):
    return [e for e in await outbox_events(relay) if e["routing_key"] == key]


async def test_reminder_at_half_time_then_overdue_with_alternatives(relay, amqp):
    structure_id, slug = await publish_structure(relay, amqp, name="Numérique & Co",
                                                 emails=("claire@numerique.fr", "julien@numerique.fr"))
    # Neighbours: three of the four online structures of Paris offering the domain are offered, by name.
    for name in ("Delta Web", "Alpha Web", "Charlie Web", "Bravo Web"):
        await publish_structure(relay, amqp, name=name, city="Paris")
    await publish_structure(relay, amqp, name="AAA Lyon", department="69", city="Lyon")
    await publish_structure(relay, amqp, name="AAA Données", domains=("gestion_donnees",))
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    request_id = response.json()["id"]

    relay.clock.advance(timedelta(hours=23, minutes=59))  # Wednesday 09:59 Paris: not yet half time
    assert await _sweep(relay) == sweeper.SweepResult(0, 0)
    relay.clock.advance(timedelta(minutes=1))
    assert await _sweep(relay) == sweeper.SweepResult(1, 0)
    assert await _sweep(relay) == sweeper.SweepResult(0, 0)  # never twice
    reminders = await emails(relay, "contact_ack_reminder")
    assert sorted(m["to"] for m in reminders) == ["claire@numerique.fr", "julien@numerique.fr"]
    assert reminders[0]["context"]["ack_deadline"] == "2026-03-12T10:00:00+01:00"

    relay.clock.advance(timedelta(hours=23, minutes=59))
    assert await _sweep(relay) == sweeper.SweepResult(0, 0)
    relay.clock.advance(timedelta(minutes=1))  # Thursday 10:00 Paris: the deadline
    assert await _sweep(relay) == sweeper.SweepResult(0, 1)
    assert await _sweep(relay) == sweeper.SweepResult(0, 0)

    row = (await relay.rows(sa.select(contact_requests)))[0]
    assert row.status == "overdue" and row.overdue_at == relay.clock.now()
    activator = await emails(relay, "contact_overdue_activator")
    assert sorted(m["to"] for m in activator) == ["claire@numerique.fr", "julien@numerique.fr"]
    business = await emails(relay, "contact_overdue_business")
    assert [m["to"] for m in business] == ["paul.martin@boulangerie.fr"]
    assert [a["name"] for a in business[0]["context"]["alternatives"]] == ["Alpha Web", "Bravo Web", "Charlie Web"]
    overdue = await _events(relay, "contact_relay.request.overdue.v1")
    assert [e["data"]["request_id"] for e in overdue] == [request_id]
    assert overdue[0]["data"]["structure_id"] == str(structure_id)

    # Acknowledging late still works and counts; nothing more fires.
    link = (await emails(relay, "contact_forwarded"))[0]["context"]["acknowledgement_url"]
    token = link.split("token=")[1]
    late = await relay.http.post(f"/api/v1/contact-requests/{request_id}/acknowledgement", params={"token": token})
    assert late.status_code == 200 and late.json()["status"] == "acknowledged"
    relay.clock.advance(timedelta(days=10))
    assert await _sweep(relay) == sweeper.SweepResult(0, 0)


async def test_acknowledged_requests_get_no_reminder_and_never_go_overdue(relay, amqp):
    _, slug = await publish_structure(relay, amqp)
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    link = (await emails(relay, "contact_forwarded"))[0]["context"]["acknowledgement_url"]
    await relay.http.post(f"/api/v1/contact-requests/{response.json()['id']}/acknowledgement",
                          params={"token": link.split("token=")[1]})
    relay.clock.advance(timedelta(days=7))
    assert await _sweep(relay) == sweeper.SweepResult(0, 0)
    assert await emails(relay, "contact_ack_reminder") == []


async def test_a_request_found_past_its_deadline_goes_overdue_without_a_late_reminder(relay, amqp):
    _, slug = await publish_structure(relay, amqp)
    await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    relay.clock.advance(timedelta(days=3))  # the sweeper was down through the whole window
    assert await _sweep(relay) == sweeper.SweepResult(0, 1)
    assert await emails(relay, "contact_ack_reminder") == []


async def test_two_sweepers_at_once_fire_each_deadline_exactly_once(start_relay, amqp):
    first = await start_relay(rate_limit_per_address=1000)
    second = await start_relay(clock=first.clock)  # same database, another process's worth of engine and pool
    _, slug = await publish_structure(first, amqp)
    count = 40
    for i in range(count):
        response = await first.http.post("/api/v1/contact-requests", json=request_body(slug, email=f"b{i}@example.fr"))
        assert response.status_code == 202

    async def race():
        # Small batches so both sweepers really interleave on the rows.
        return await asyncio.gather(*(sweeper.sweep(relay.db, relay.service.links, batch=3)
                                      for relay in (first, second, first, second)))

    first.clock.advance(timedelta(days=1))
    results = await race()
    assert sum(r.reminders for r in results) == count
    first.clock.advance(timedelta(days=1))
    results = await race()
    assert sum(r.overdue for r in results) == count

    per_key = Counter(m["idempotency_key"] for m in await emails(first, None)
                      if m["template"] in ("contact_ack_reminder", "contact_overdue_activator",
                                           "contact_overdue_business"))
    assert len(per_key) == 3 * count and set(per_key.values()) == {1}
    overdue = Counter(e["data"]["request_id"] for e in await _events(first, "contact_relay.request.overdue.v1"))
    assert len(overdue) == count and set(overdue.values()) == {1}
