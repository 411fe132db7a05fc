"""The network's figures for the DGE and the DREETS: profiles online now per region, and the structures' counters
and contact requests summed over a period, by day and by month (a DREETS agent: its own region only)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from activateurs.shared.clock import ManualClock
from activateurs.shared.contracts.contact_relay import RequestAcknowledged, RequestOverdue
from activateurs.shared.contracts.validation import SanctionData, StructureSuspended
from tests.support.waiting import eventually

from ..conftest import T0, accepted, make_profile
from .test_directory_statistics import forwarded, step

NOW = T0 + timedelta(days=3, hours=3)  # Thursday 5 March 2026, 12:00 UTC
PERIOD = {"from": "2026-02-01", "to": "2026-03-05"}


async def test_the_network_figures_summed_over_structures_for_the_dge_and_a_region(start_directory, amqp, issuer):
    directory = await start_directory(clock=ManualClock(NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=directory.create_app()),
                                 base_url="http://directory") as client:
        await _network_figures(client, amqp, issuer)


async def _network_figures(client, amqp, issuer):
    paris, creteil, lyon = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for sid, profile in ((paris, make_profile("Réseau Paris")),
                         (creteil, make_profile("Réseau Créteil", postal_code="94000", city="Créteil", department="94")),
                         (lyon, make_profile("Réseau Lyon", postal_code="69003", city="Lyon", department="69",
                                             region="84"))):
        await amqp.publish_event(accepted(sid, profile))

    dge = issuer.headers("dge_agent")
    url = "/api/v1/statistics"

    async def all_online():  # waited for here, not by searching: a search counts appearances
        return (await client.get(url, headers=dge)).json()["published"]["total"] == 3

    await eventually(all_online, what="three profiles online")
    found = (await client.get("/api/v1/activators", params={"q": "réseau"})).json()  # each appears once
    assert found["total"] == 3
    slugs = {item["structure_id"]: item["slug"] for item in found["items"]}
    for sid in (paris, paris, lyon):
        assert (await client.get(f"/api/v1/activators/{slugs[str(sid)]}")).status_code == 200
    in_time, late, overdue = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for event in (forwarded(paris, in_time, T0), step(RequestAcknowledged, paris, in_time, T0 + timedelta(hours=2)),
                  forwarded(paris, overdue, T0 + timedelta(days=1)),
                  step(RequestOverdue, paris, overdue, T0 + timedelta(days=3)),
                  forwarded(lyon, late, T0 - timedelta(days=20)),  # February
                  step(RequestAcknowledged, lyon, late, T0 - timedelta(days=20) + timedelta(hours=60))):
        await amqp.publish_event(event)
    # Offline now: no longer published, its past figures still count.
    await amqp.publish_event(StructureSuspended.new(SanctionData(structure_id=creteil, reason="r"),
                                                    producer="validation", occurred_at=NOW))

    async def settled():
        answer = await client.get(url, params=PERIOD, headers=dge)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        totals = body["totals"]
        return body if (body["published"]["total"] == 2 and totals["contacts_received"] == 3
                        and totals["acknowledged"] == 2 and totals["overdue"] == 1 and totals["views"] == 3
                        and totals["search_appearances"] == 3) else None

    body = await eventually(settled, what="the network's figures")
    assert body["from"] == "2026-02-01" and body["to"] == "2026-03-05" and body["region"] is None
    assert body["published"] == {"total": 2, "by_region": [
        {"region": "11", "name": "Île-de-France", "published": 1},
        {"region": "84", "name": "Auvergne-Rhône-Alpes", "published": 1}]}
    assert body["totals"] == {
        "views": 3, "search_appearances": 3, "contacts_received": 3, "acknowledged": 2, "acknowledged_in_time": 1,
        "overdue": 1, "redirected": 0, "median_ack_seconds": (2 * 3600 + 60 * 3600) / 2,
        "acknowledgement_rate": 1 / 3}
    assert [(m["month"], m["contacts_received"], m["acknowledged"], m["views"]) for m in body["months"]] == [
        ("2026-02", 1, 1, 0), ("2026-03", 2, 1, 3)]
    by_day = {day["day"]: day for day in body["days"]}
    assert len(by_day) == 33 and by_day["2026-03-02"]["acknowledged_in_time"] == 1
    assert by_day["2026-03-05"]["views"] == 3 and by_day["2026-03-05"]["search_appearances"] == 3
    assert (await client.get(url, params={**PERIOD, "region": ""}, headers=dge)).status_code == 422

    # One region: the sum of its structures' own statistics.
    lyon_only = (await client.get(url, params={**PERIOD, "region": "84"}, headers=dge)).json()
    lyon_own = (await client.get(f"/api/v1/structures/{lyon}/statistics", params=PERIOD, headers=dge)).json()
    assert lyon_only["region"] == "84" and lyon_only["totals"] == lyon_own["totals"]
    assert lyon_only["months"] == lyon_own["months"]
    assert lyon_only["published"] == {"total": 1, "by_region": [
        {"region": "84", "name": "Auvergne-Rhône-Alpes", "published": 1}]}
    assert lyon_only["totals"]["contacts_received"] == 1 and lyon_only["totals"]["acknowledged_in_time"] == 0

    # A DREETS agent: its own region, asked for or not; another region is refused.
    regional = issuer.headers("dreets_agent", region="11")
    mine = await client.get(url, params=PERIOD, headers=regional)
    assert mine.status_code == 200, mine.text
    mine = mine.json()
    assert mine["region"] == "11" and mine["published"]["total"] == 1
    assert (mine["totals"]["contacts_received"], mine["totals"]["views"], mine["totals"]["search_appearances"]) == \
        (2, 2, 2)
    assert (await client.get(url, params={**PERIOD, "region": "11"}, headers=regional)).json() == mine
    other = await client.get(url, params={**PERIOD, "region": "84"}, headers=regional)
    assert other.status_code == 403 and "own region only (11)" in other.json()["detail"]
    assert (await client.get(url, headers=issuer.headers("dreets_agent"))).status_code == 403  # no region claim
    assert (await client.get(url, headers=issuer.headers("dge_admin"))).status_code == 200
    # By default the last 30 days, today included.
    default = (await client.get(url, headers=dge)).json()
    assert (default["from"], default["to"]) == ("2026-02-04", "2026-03-05")

    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=issuer.headers("activator", structure_id=str(paris)))).status_code == 403
    for bad in ({"from": "2026-03-05", "to": "2026-03-01"}, {"from": "2024-01-01", "to": "2026-01-01"},
                {"from": "hier"}, {"to": "0"}, {"region": "99"}, {"region": "abc"}, {"region": "1234"}):
        refused = await client.get(url, params=bad, headers=dge)
        assert refused.status_code == 422 and refused.json()["detail"], bad
