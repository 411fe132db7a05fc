"""The notifier's HTTP surface: the deliveries log for DGE roles only, health, metrics, OpenAPI and AsyncAPI."""

from __future__ import annotations

import json

import httpx
import pytest

from activateurs.shared.contracts.emails import EMAIL_CONTEXTS
from tests.support.smtp import REFUSED_PREFIX
from tests.support.waiting import eventually

from ..conftest import email_request


@pytest.fixture
async def client(notifier):
    app = notifier.create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://notifier") as http:
        yield http


async def test_deliveries_need_a_dge_token(client, issuer):
    assert (await client.get("/api/v1/deliveries")).status_code == 401
    assert (await client.get("/api/v1/deliveries", headers={"Authorization": "Bearer nonsense"})).status_code == 401
    activator = await client.get("/api/v1/deliveries", headers=issuer.headers("activator"))
    assert activator.status_code == 403
    regional = await client.get("/api/v1/deliveries", headers=issuer.headers("dreets_agent", region="84"))
    assert regional.status_code == 403


async def test_deliveries_list_status_attempts_and_last_error_filtered(client, issuer, amqp, smtp):
    delivered = email_request(to="Claire.Durand@example.fr")
    refused = email_request(to=f"{REFUSED_PREFIX}x@example.fr")
    await amqp.publish_event(delivered)
    await amqp.publish_event(refused)
    headers = issuer.headers("dge_agent")

    async def both_settled():
        body = (await client.get("/api/v1/deliveries", headers=headers)).json()
        return body if {item["status"] for item in body["items"]} == {"sent", "failed"} else None

    body = await eventually(both_settled, what="one sent and one failed delivery")
    assert body["total"] == 2
    by_key = {item["idempotency_key"]: item for item in body["items"]}
    assert by_key[refused.data.idempotency_key]["attempts"] == 1
    assert "550" in by_key[refused.data.idempotency_key]["last_error"]
    assert by_key[delivered.data.idempotency_key]["last_error"] is None

    mine = await client.get("/api/v1/deliveries", params={"recipient": "claire.durand@EXAMPLE.fr"},
                            headers=issuer.headers("dge_admin"))
    assert [item["idempotency_key"] for item in mine.json()["items"]] == [delivered.data.idempotency_key]
    failed = await client.get("/api/v1/deliveries", params={"status": "failed"}, headers=headers)
    assert [item["idempotency_key"] for item in failed.json()["items"]] == [refused.data.idempotency_key]
    paged = await client.get("/api/v1/deliveries", params={"page": 2, "page_size": 1}, headers=headers)
    assert paged.json()["total"] == 2 and len(paged.json()["items"]) == 1


@pytest.mark.parametrize("params", [{"status": "lost"}, {"page_size": 1000}, {"page": 0}, {"page": "x"},
                                    {"recipient": "a" * 400}, {"recipient": "claire\x00@example.fr"}])
async def test_bad_query_parameters_are_422(client, issuer, params):
    response = await client.get("/api/v1/deliveries", params=params, headers=issuer.headers("dge_agent"))
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_health_metrics_and_documents(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "consumers": "ok", "background": "ok"}
    metrics = (await client.get("/metrics")).text
    # Labelled by route template and status, so counting stays bounded and carries no ids.
    assert 'http_requests_total{method="GET",route="/health/live",status="200"}' in metrics
    assert "outbox_published_total" in metrics
    openapi = (await client.get("/openapi.json")).json()
    assert "/api/v1/deliveries" in openapi["paths"]
    asyncapi = (await client.get("/asyncapi.json")).json()
    assert asyncapi["asyncapi"].startswith("3.")
    assert {"notifier.email-requests", "notifier.email.sent.v1", "notifier.email.failed.v1"} <= set(asyncapi["channels"])
    documented = json.dumps(asyncapi)
    assert "x-template-contexts" in documented
    assert all(f'"{template}": {{' in documented for template in EMAIL_CONTEXTS)  # each context's schema


async def test_ready_reports_503_when_the_consumers_are_gone(client, notifier):
    for subscriber in notifier.broker.subscribers:
        await subscriber.stop()
    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["consumers"] == "failing"
    assert (await client.get("/health/live")).status_code == 200
