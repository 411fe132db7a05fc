"""A structure's statistics: contact-relay's events (any order, twice) and counted views, by day, for itself only."""

from __future__ import annotations

import uuid
from datetime import timedelta

from activateurs.shared.contracts.contact_relay import (
    RequestAcknowledged,
    RequestForwarded,
    RequestForwardedData,
    RequestOverdue,
    RequestRedirected,
    RequestStepData,
)
from tests.support.waiting import eventually

from ..conftest import T0, accepted, make_profile

PERIOD = {"from": "2026-03-01", "to": "2026-03-04"}


def forwarded(sid, rid, received):
    return RequestForwarded.new(RequestForwardedData(request_id=rid, structure_id=sid, received_at=received,
                                                     ack_deadline=received + timedelta(hours=48)),
                                producer="contact-relay", occurred_at=received)


def step(cls, sid, rid, when):
    return cls.new(RequestStepData(request_id=rid, structure_id=sid, at=when), producer="contact-relay",
                   occurred_at=when)


async def test_statistics_by_day_from_contact_events_in_any_order(client, amqp, issuer):
    sid, other = uuid.uuid4(), uuid.uuid4()
    fast, late, overdue, redirected = (uuid.uuid4() for _ in range(4))
    day1, day2 = T0, T0 + timedelta(days=1)
    events = [
        step(RequestAcknowledged, sid, fast, day1 + timedelta(hours=2)),  # before its forwarding: out of order
        forwarded(sid, fast, day1),
        forwarded(sid, late, day1 + timedelta(hours=1)),
        step(RequestOverdue, sid, late, day1 + timedelta(hours=49)),
        step(RequestAcknowledged, sid, late, day1 + timedelta(hours=60)),
        forwarded(sid, overdue, day2),
        step(RequestOverdue, sid, overdue, day2 + timedelta(hours=48)),
        forwarded(sid, redirected, day2 + timedelta(hours=3)),
        step(RequestRedirected, sid, redirected, day2 + timedelta(hours=4)),
        forwarded(other, uuid.uuid4(), day1),  # another structure's
    ]
    for event in events:
        await amqp.publish_event(event)
    await amqp.publish_event(events[1])  # a duplicate
    headers = issuer.headers("activator", structure_id=str(sid))

    async def totals():
        body = (await client.get("/api/v1/me/statistics", params=PERIOD, headers=headers)).json()
        return body if body["totals"]["contacts_received"] == 4 and body["totals"]["redirected"] == 1 else None

    body = await eventually(totals, what="statistics")
    assert body["totals"] == {
        "views": 0, "search_appearances": 0, "contacts_received": 4, "acknowledged": 2, "acknowledged_in_time": 1,
        "overdue": 2, "redirected": 1, "median_ack_seconds": (2 * 3600 + 59 * 3600) / 2, "acknowledgement_rate": 0.25}
    by_day = {day["day"]: day for day in body["days"]}
    assert list(by_day) == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
    assert by_day["2026-03-02"]["contacts_received"] == 2 and by_day["2026-03-02"]["acknowledged_in_time"] == 1
    assert by_day["2026-03-03"]["contacts_received"] == 2 and by_day["2026-03-03"]["overdue"] == 1
    assert by_day["2026-03-01"]["contacts_received"] == 0


async def test_views_and_appearances_are_counted_for_the_structure(client, amqp, issuer, directory):
    sid = uuid.uuid4()
    await amqp.publish_event(accepted(sid, make_profile("Compteur Malin")))

    async def searchable():
        return (await client.get("/api/v1/activators", params={"q": "compteur"})).json()["total"] == 1

    await eventually(searchable, what="published")
    for _ in range(2):
        await client.get("/api/v1/activators/compteur-malin-paris")
    today = directory.database.clock.now().date().isoformat()
    headers = issuer.headers("activator", structure_id=str(sid))

    async def counted():
        body = (await client.get("/api/v1/me/statistics", headers=headers,
                                 params={"from": today, "to": today})).json()
        return body["totals"]["views"] == 2 and body["totals"]["search_appearances"] >= 1

    await eventually(counted, what="views and appearances flushed")


async def test_statistics_need_an_activator_with_a_structure_and_a_sane_period(client, issuer):
    url = "/api/v1/me/statistics"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=issuer.headers("dge_agent"))).status_code == 403
    assert (await client.get(url, headers=issuer.headers("activator"))).status_code == 403
    headers = issuer.headers("activator", structure_id=str(uuid.uuid4()))
    assert (await client.get(url, headers=headers)).status_code == 200
    for params in ({"from": "2026-03-04", "to": "2026-03-01"}, {"from": "2020-01-01", "to": "2026-01-01"},
                   {"from": "hier"}, {"to": "0"}, {"from": "1700000000"}, {"to": "2026-03-01T00:00:00"}):
        response = await client.get(url, headers=headers, params=params)
        assert response.status_code == 422, (params, response.text)
