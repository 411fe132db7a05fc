"""Statistics by month, and read by DGE agents (any structure) and DREETS agents (their region's only)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from activateurs.shared.contracts.contact_relay import RequestForwarded, RequestForwardedData
from tests.support.waiting import eventually

from ..conftest import T0, accepted, make_profile


def forwarded(sid, received):
    return RequestForwarded.new(RequestForwardedData(request_id=uuid.uuid4(), structure_id=sid, received_at=received,
                                                     ack_deadline=received + timedelta(hours=48)),
                                producer="contact-relay", occurred_at=received)


async def test_statistics_by_month_and_for_dge_and_the_structures_dreets(client, amqp, issuer):
    lyon = uuid.uuid4()  # Auvergne-Rhône-Alpes (84)
    await amqp.publish_event(accepted(lyon, make_profile("Lyon Stats", postal_code="69003", city="Lyon",
                                                         department="69", region="84")))
    received = [T0 - timedelta(days=2), T0, T0 + timedelta(days=1), T0 + timedelta(days=31)]  # Feb, Mar, Mar, Apr
    for when in received:
        await amqp.publish_event(forwarded(lyon, when))
    period = {"from": "2026-02-15", "to": "2026-04-10"}
    url = f"/api/v1/structures/{lyon}/statistics"

    async def all_counted():
        response = await client.get(url, params=period, headers=issuer.headers("dge_agent"))
        return response.json() if response.status_code == 200 and \
            response.json()["totals"]["contacts_received"] == 4 else None

    body = await eventually(all_counted, what="contacts counted")
    assert body["structure_id"] == str(lyon)
    assert [(m["month"], m["contacts_received"]) for m in body["months"]] == [
        ("2026-02", 1), ("2026-03", 2), ("2026-04", 1)]
    assert len(body["days"]) == 55 and sum(day["contacts_received"] for day in body["days"]) == 4
    assert set(body["months"][0]) == set(body["totals"]) - {"acknowledgement_rate"} | {"month"}

    mine = await client.get("/api/v1/me/statistics", params=period,
                            headers=issuer.headers("activator", structure_id=str(lyon)))
    assert mine.status_code == 200 and mine.json()["months"] == body["months"]

    assert (await client.get(url, params=period, headers=issuer.headers("dge_admin"))).status_code == 200
    same_region = await client.get(url, params=period, headers=issuer.headers("dreets_agent", region="84"))
    assert same_region.status_code == 200 and same_region.json()["months"] == body["months"]
    other_region = await client.get(url, params=period, headers=issuer.headers("dreets_agent", region="11"))
    assert other_region.status_code == 403 and "region" in other_region.json()["detail"]
    assert (await client.get(url, headers=issuer.headers("dreets_agent"))).status_code == 403  # no region claim
    assert (await client.get(url, headers=issuer.headers("activator", structure_id=str(lyon)))).status_code == 403
    assert (await client.get(url)).status_code == 401
    unknown = await client.get(f"/api/v1/structures/{uuid.uuid4()}/statistics", headers=issuer.headers("dge_agent"))
    assert unknown.status_code == 404
    assert (await client.get("/api/v1/structures/not-an-id/statistics",
                             headers=issuer.headers("dge_agent"))).status_code == 422
    bad = await client.get(url, params={"from": "2026-04-10", "to": "2026-02-15"}, headers=issuer.headers("dge_agent"))
    assert bad.status_code == 422
