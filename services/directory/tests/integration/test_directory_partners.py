"""Partner API: keys issued once and stored hashed, revocation, expiry, rate limit; the feed replays to the online set."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from activateurs.directory.adapters.tables import partner_calls, partner_keys
from activateurs.shared.contracts.registration import ProfileUpdated, ProfileUpdatedData
from activateurs.shared.contracts.validation import SanctionData, StructureStruckOff, StructureSuspended
from tests.support.waiting import eventually

from ..conftest import SECRET_EMAIL, accepted, at, make_profile


@pytest.fixture
async def partner_service(start_directory):
    return await start_directory(feed_settle_seconds=0, feed_page_size=2, partner_rate_per_minute=1000)


@pytest.fixture
async def partner_client(partner_service):
    import httpx
    app = partner_service.create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://directory") as http:
        yield http


async def issue(client, issuer, *, expires_in: timedelta = timedelta(days=30)) -> dict:
    response = await client.post("/api/v1/partner-keys", headers=issuer.headers("dge_admin"), json={
        "organisation": "Région Exemple", "expires_at": (datetime.now(UTC) + expires_in).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


async def replay(client, key: str, cursor: str | None = None,
                 mirror: dict[str, dict] | None = None) -> tuple[dict[str, dict], str]:
    """Apply every page as a partner would: upserts add or replace, tombstones delete."""
    mirror = dict(mirror or {})
    while True:
        params = {"cursor": cursor} if cursor else {}
        page = await client.get("/api/v1/partner/activators", headers={"X-API-Key": key}, params=params)
        assert page.status_code == 200, page.text
        assert SECRET_EMAIL not in page.text
        body = page.json()
        for item in body["items"]:
            if item["change"] == "upsert":
                mirror[item["structure_id"]] = item["activator"]
            else:
                mirror.pop(item["structure_id"], None)
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return mirror, cursor


async def test_keys_are_for_dge_admins_shown_once_and_stored_hashed(partner_client, issuer, partner_service):
    body = {"organisation": "X", "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
    assert (await partner_client.post("/api/v1/partner-keys", json=body)).status_code == 401
    assert (await partner_client.post("/api/v1/partner-keys", json=body,
                                      headers=issuer.headers("dge_agent"))).status_code == 403
    for bad in ({"organisation": "X", "expires_at": "2020-01-01T00:00:00Z"},
                {"organisation": "X", "expires_at": "2099-01-01T00:00:00Z"},
                {"organisation": "", "expires_at": body["expires_at"]},
                {"organisation": "X", "expires_at": "2030-01-01T00:00:00"}):
        response = await partner_client.post("/api/v1/partner-keys", json=bad, headers=issuer.headers("dge_admin"))
        assert response.status_code == 422, (bad, response.text)
    issued = await issue(partner_client, issuer)
    async with partner_service.database.sessions() as session:
        stored = (await session.execute(sa.select(partner_keys))).mappings().one()
    assert issued["key"] not in str(dict(stored))
    assert stored["key_hash"] == hashlib.sha256(issued["key"].encode()).hexdigest()


async def test_the_keys_issued_are_listed_newest_first_without_key_or_hash(partner_client, issuer):
    admin_subject = str(uuid.uuid4())
    admin = issuer.headers("dge_admin", subject=admin_subject)
    url = "/api/v1/partner-keys"
    assert (await partner_client.get(url, headers=admin)).json() == {"items": []}
    shown = []
    for organisation, days in (("Région Exemple", 30), ("Observatoire du numérique", 90)):
        answer = await partner_client.post(url, headers=admin, json={
            "organisation": organisation, "expires_at": (datetime.now(UTC) + timedelta(days=days)).isoformat()})
        assert answer.status_code == 201, answer.text
        shown.append(answer.json())
    assert (await partner_client.delete(f"{url}/{shown[0]['id']}", headers=admin)).status_code == 204

    listed = await partner_client.get(url, headers=admin)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(i["id"], i["organisation"]) for i in items] == [(shown[1]["id"], "Observatoire du numérique"),
                                                          (shown[0]["id"], "Région Exemple")]
    assert all(set(item) == {"id", "organisation", "created_at", "created_by", "expires_at", "revoked_at"}
               for item in items)
    assert items[0]["revoked_at"] is None and items[1]["revoked_at"] is not None
    assert {item["created_by"] for item in items} == {admin_subject}
    assert datetime.fromisoformat(items[0]["expires_at"]) == datetime.fromisoformat(shown[1]["expires_at"])
    assert datetime.fromisoformat(items[1]["created_at"]) <= datetime.fromisoformat(items[0]["created_at"])
    for issued in shown:  # neither the key nor its hash is ever shown again
        assert issued["key"] not in listed.text
        assert hashlib.sha256(issued["key"].encode()).hexdigest() not in listed.text

    assert (await partner_client.get(url)).status_code == 401
    for role, claims in (("dge_agent", {}), ("dreets_agent", {"region": "11"}), ("activator", {})):
        refused = await partner_client.get(url, headers=issuer.headers(role, **claims))
        assert refused.status_code == 403 and refused.json()["detail"], role


async def test_feed_replayed_from_the_start_reproduces_the_online_set(partner_client, amqp, issuer):
    key = (await issue(partner_client, issuer))["key"]
    ids = [uuid.uuid4() for _ in range(5)]
    for i, sid in enumerate(ids):
        await amqp.publish_event(accepted(sid, make_profile(f"Partenaire {i}")))

    async def online_count():
        return (await partner_client.get("/api/v1/activators")).json()["total"]

    await eventually(lambda: _eq(online_count(), 5), what="published")
    mirror, cursor = await replay(partner_client, key)
    assert set(mirror) == {str(sid) for sid in ids}
    # Changes: one suspended, one struck off, one updated. Incremental sync from the cursor, then a full replay.
    await amqp.publish_event(StructureSuspended.new(SanctionData(structure_id=ids[0], reason="r"),
                                                    producer="validation", occurred_at=at(5)))
    await amqp.publish_event(StructureStruckOff.new(SanctionData(structure_id=ids[1], reason="r"),
                                                    producer="validation", occurred_at=at(5)))
    await amqp.publish_event(ProfileUpdated.new(ProfileUpdatedData(structure_id=ids[2], profile=make_profile(
        "Partenaire 2", description="nouvelle description")), producer="registration", occurred_at=at(5)))

    async def settled():
        body = (await partner_client.get("/api/v1/activators", params={"q": "nouvelle description"})).json()
        return await online_count() == 3 and body["total"] == 1

    await eventually(settled, what="changes applied")
    synced, _ = await replay(partner_client, key, cursor, mirror)  # the partner kept up incrementally
    assert synced[str(ids[2])]["description"] == "nouvelle description"
    full, _ = await replay(partner_client, key)
    online = {item["structure_id"]: item for item in (await partner_client.get(
        "/api/v1/activators", params={"page_size": 100})).json()["items"]}
    assert set(full) == set(synced) == set(online) == {str(sid) for sid in ids[2:]}
    assert full == synced


async def _eq(awaitable, expected) -> bool:
    return await awaitable == expected


async def test_revoked_expired_missing_and_malformed_get_clear_4xx(partner_client, issuer, partner_service):
    key = await issue(partner_client, issuer)
    feed = "/api/v1/partner/activators"
    assert (await partner_client.get(feed)).status_code == 401
    assert (await partner_client.get(feed, headers={"X-API-Key": "act_nope"})).status_code == 401
    ok = {"X-API-Key": key["key"]}
    assert (await partner_client.get(feed, headers=ok)).status_code == 200
    for params in ({"cursor": "!!!"}, {"cursor": "djE6LTE"}, {"since": "hier"}, {"colour": "x"}):
        response = await partner_client.get(feed, headers=ok, params=params)
        assert response.status_code in (400, 422), (params, response.text)
    assert (await partner_client.delete(f"/api/v1/partner-keys/{key['id']}",
                                        headers=issuer.headers("dge_agent"))).status_code == 403
    assert (await partner_client.delete(f"/api/v1/partner-keys/{uuid.uuid4()}",
                                        headers=issuer.headers("dge_admin"))).status_code == 404
    assert (await partner_client.delete(f"/api/v1/partner-keys/{key['id']}",
                                        headers=issuer.headers("dge_admin"))).status_code == 204
    revoked = await partner_client.get(feed, headers=ok)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    short = await issue(partner_client, issuer, expires_in=timedelta(seconds=1))
    await asyncio.sleep(1.2)
    expired = await partner_client.get(feed, headers={"X-API-Key": short["key"]})
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    async with partner_service.database.sessions() as session:
        outcomes = (await session.execute(sa.select(partner_calls.c.outcome))).scalars().all()
    assert {"ok", "revoked", "expired"} <= set(outcomes)


async def test_calls_past_the_rate_get_429_whichever_replica_answers(start_directory, databases, issuer):
    import httpx

    from activateurs.shared.clock import ManualClock
    clock = ManualClock()
    url = await databases.fresh("directory")
    replicas = [await start_directory(clock=clock, database_url=url, partner_rate_per_minute=3) for _ in range(2)]
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=r.create_app()), base_url="http://directory")
               for r in replicas]
    try:
        key = await issue(clients[0], issuer)

        async def call(i: int) -> httpx.Response:
            return await clients[i % 2].get("/api/v1/partner/activators", headers={"X-API-Key": key["key"]})

        answers = [await call(i) for i in range(5)]  # alternately on each replica: one budget for the key
        assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
        assert answers[3].json()["detail"] == "too many calls for this key"
        assert 1 <= int(answers[3].headers["Retry-After"]) <= 61
        clock.advance(timedelta(seconds=61))  # the first calls have left the window
        assert (await call(5)).status_code == 200
    finally:
        for client in clients:
            await client.aclose()
    async with replicas[0].database.sessions() as session:
        outcomes = (await session.execute(sa.select(partner_calls.c.outcome).order_by(partner_calls.c.id))).scalars()
        assert list(outcomes) == ["ok", "ok", "ok", "rate_limited", "rate_limited", "ok"]