"""The client address rate limits count is the one a trusted proxy reports (X-Forwarded-For), and only a trusted
proxy's: behind an ingress every request would otherwise come from one address and share one budget."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port


def _request() -> dict:
    return {"activator_slug": "nobody", "company_name": "Boulangerie", "contact_name": "Paul Martin",
            "email": f"client-{uuid.uuid4().hex[:8]}@example.fr", "postal_code": "75011",
            "domains": ["site_internet_ecommerce"], "message": "Bonjour, pouvez-vous nous aider ?"}


async def _statuses(url: str, forwarded_for: list[str]) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        return [(await client.post("/api/v1/contact-requests", json=_request(),
                                   headers={"X-Forwarded-For": address})).status_code for address in forwarded_for]


async def _relay(databases, vhost, tmp_path, trusted: str) -> ServiceProcess:
    process = ServiceProcess("contact-relay", port=free_port(), log_dir=tmp_path, env={
        "DATABASE_URL": await databases.fresh("contact-relay"), "RABBITMQ_URL": vhost,
        "CONTACT_RELAY_RATE_LIMIT_PER_ADDRESS": "2", "FORWARDED_ALLOW_IPS": trusted})
    process.start()
    await asyncio.to_thread(process.wait_ready)
    return process


async def test_behind_a_trusted_proxy_each_client_address_has_its_own_budget(databases, vhost, tmp_path):
    process = await _relay(databases, vhost, tmp_path, trusted="127.0.0.1")  # the proxy is on loopback here
    try:
        # The rate limit comes before the structure lookup: an unknown structure answers 404 within the budget.
        first, second = "203.0.113.10", "203.0.113.20"
        assert await _statuses(process.url, [first, first, first, second]) == [404, 404, 429, 404]
    finally:
        await asyncio.to_thread(process.stop)


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(databases, vhost, tmp_path):
    process = await _relay(databases, vhost, tmp_path, trusted="10.0.0.0/8")  # loopback is not a proxy here
    try:
        # A client cannot buy a new budget by making up X-Forwarded-For: its own address counts.
        assert await _statuses(process.url, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [404, 404, 429]
    finally:
        await asyncio.to_thread(process.stop)
