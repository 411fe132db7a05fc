"""The public intake's rate limits: shared by all replicas through the database, exact under concurrency,
sliding with the service clock, keyed without personal data in clear; the rest is 429 + Retry-After."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests, rate_limits
from activateurs.contact_relay.service import sweeper
from tests.support.waiting import eventually

from ..conftest import publish_structure, request_body

URL = "/api/v1/contact-requests"


async def _count(relay, table) -> int:
    return await relay.scalar(sa.select(sa.func.count()).select_from(table))


async def test_a_concurrent_flood_from_one_address_gets_exactly_the_limit_then_429(start_relay, amqp):
    relay = await start_relay(rate_limit_per_address=10, rate_limit_per_email=1000, rate_limit_window_seconds=3600)
    _, slug = await publish_structure(relay, amqp)
    bodies = [request_body(slug, email=f"client{i}@example.fr") for i in range(40)]
    answers = await asyncio.gather(*(relay.http.post(URL, json=body) for body in bodies))

    assert Counter(a.status_code for a in answers) == {202: 10, 429: 30}
    for refused in (a for a in answers if a.status_code == 429):
        assert refused.json()["detail"] == "too many contact requests from this address"
        # The approximated sliding window may hold a client up to two windows (hits bunched at a window's start).
        assert 0 < int(refused.headers["Retry-After"]) <= 2 * 3600
    # What was refused left no trace; what was accepted is all stored, once.
    ids = {a.json()["id"] for a in answers if a.status_code == 202}
    stored = await relay.rows(sa.select(contact_requests.c.id))
    assert {str(row.id) for row in stored} == ids


async def test_one_business_address_flooding_through_many_clients_is_limited_too(start_relay, amqp):
    relay = await start_relay(rate_limit_per_address=1000, rate_limit_per_email=3, rate_limit_window_seconds=3600)
    _, slug = await publish_structure(relay, amqp)
    # The same address in any case or spacing is one business.
    variants = ["Paul.Martin@Boulangerie.fr", "paul.martin@boulangerie.fr", "PAUL.MARTIN@BOULANGERIE.FR"] * 4
    answers = await asyncio.gather(*(relay.http.post(URL, json=request_body(slug, email=e)) for e in variants))
    assert Counter(a.status_code for a in answers) == {202: 3, 429: 9}
    assert all(a.json()["detail"] == "too many contact requests from this email address"
               and int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)
    assert await _count(relay, contact_requests) == 3


async def test_two_replicas_on_one_database_share_one_budget(start_relay, amqp):
    limits = {"rate_limit_per_address": 7, "rate_limit_per_email": 1000, "rate_limit_window_seconds": 3600}
    first = await start_relay(**limits)
    second = await start_relay(clock=first.clock, **limits)  # same database, its own engine, pool and limiter
    _, slug = await publish_structure(first, amqp)
    # A flood spread over both replicas at once gets the limit through, not twice the limit.
    answers = await asyncio.gather(*(relay.http.post(URL, json=request_body(slug, email=f"c{i}@example.fr"))
                                     for i in range(15) for relay in (first, second)))
    assert Counter(a.status_code for a in answers) == {202: 7, 429: 23}
    assert await _count(first, contact_requests) == 7
    # Either replica now refuses that address.
    for relay in (first, second):
        refused = await relay.http.post(URL, json=request_body(slug, email="late@example.fr"))
        assert refused.status_code == 429 and "address" in refused.json()["detail"]


async def test_the_window_slides_with_the_service_clock_and_retry_after_is_when_it_passes(start_relay, amqp):
    relay = await start_relay(rate_limit_per_address=1000, rate_limit_per_email=2, rate_limit_window_seconds=600)
    _, slug = await publish_structure(relay, amqp)
    assert [(await relay.http.post(URL, json=request_body(slug))).status_code for _ in range(3)] == [202, 202, 429]
    # START is the start of a window: both hits count for the whole next window's weight at first, so the next
    # one passes once half the next window is gone (2 × ½ + 1 ≤ 2): 600 + 300 seconds.
    limited = await relay.http.post(URL, json=request_body(slug))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) == 900

    relay.clock.advance(timedelta(seconds=899))
    assert (await relay.http.post(URL, json=request_body(slug))).status_code == 429
    relay.clock.advance(timedelta(seconds=1))  # refused attempts used up nothing: exactly at Retry-After it passes
    assert (await relay.http.post(URL, json=request_body(slug))).status_code == 202
    assert (await relay.http.post(URL, json=request_body(slug))).status_code == 429

    relay.clock.advance(timedelta(seconds=1200))  # two windows later the earlier hits no longer weigh
    assert [(await relay.http.post(URL, json=request_body(slug))).status_code for _ in range(3)] == [202, 202, 429]
    assert await _count(relay, contact_requests) == 5


async def test_counters_hold_keyed_digests_not_addresses_or_emails(start_relay, amqp):
    relay = await start_relay()
    _, slug = await publish_structure(relay, amqp)
    email = "Paul.Martin@Boulangerie.fr"
    assert (await relay.http.post(URL, json=request_body(slug, email=email))).status_code == 202

    keys = {row.key for row in await relay.rows(sa.select(rate_limits.c.key))}
    limits = relay.service.rate_limits
    assert keys == {limits.key("address", "127.0.0.1"), limits.key("email", email.lower())}
    dump = " ".join(str(row) for row in await relay.rows(sa.text("SELECT * FROM rate_limits")))
    for clear in (email, email.lower(), "127.0.0.1"):
        assert clear.encode() not in b"".join(keys) and clear not in dump
    # Keyed by the service's secret: another secret gives other digests (no dictionary of addresses applies).
    other = await start_relay(same_database=False, ack_token_secret="another-secret-of-at-least-16-chars")
    assert other.service.rate_limits.key("email", email.lower()) not in keys
    # No WAL for counters on the hot path.
    assert await relay.scalar(sa.text("SELECT relpersistence::text FROM pg_class WHERE relname = 'rate_limits'")) == "u"


async def test_windows_no_check_reads_any_more_are_purged_in_batches(start_relay, amqp):
    relay = await start_relay(rate_limit_window_seconds=600)
    _, slug = await publish_structure(relay, amqp)
    for i in range(5):
        await relay.http.post(URL, json=request_body(slug, email=f"old{i}@example.fr"))
    relay.clock.advance(timedelta(seconds=600))  # the previous window: still read by the checks
    await relay.http.post(URL, json=request_body(slug, email="recent@example.fr"))
    assert await relay.service.rate_limits.purge(batch=2) == 0
    assert await _count(relay, rate_limits) == 6 + 2

    relay.clock.advance(timedelta(seconds=600))  # now the first window is two windows back
    assert await relay.service.rate_limits.purge(batch=2) == 6
    limits = relay.service.rate_limits
    assert {row.key for row in await relay.rows(sa.select(rate_limits.c.key))} == {
        limits.key("address", "127.0.0.1"), limits.key("email", "recent@example.fr")}


async def test_the_background_sweeper_purges_old_windows(start_relay, amqp):
    relay = await start_relay(rate_limit_window_seconds=600)
    _, slug = await publish_structure(relay, amqp)
    await relay.http.post(URL, json=request_body(slug))
    assert await _count(relay, rate_limits) == 2
    relay.clock.advance(timedelta(seconds=1200))
    service = relay.service

    async def purged() -> bool:
        return await _count(relay, rate_limits) == 0

    sweeping = asyncio.create_task(sweeper.run_forever(relay.db, service.links, interval=0.1, batch=100,
                                                       retention_months=24, rate_limits=service.rate_limits))
    try:
        await eventually(purged, what="old counters purged by the sweeper")
    finally:
        sweeping.cancel()
        await asyncio.gather(sweeping, return_exceptions=True)
