"""Scale run: 1,000,000 stored contact requests, then 100,000 acknowledgement deadlines due at once fired by two relays.

The 100,000 published profiles of the scale run are the directory section's corpus (BENCH_DIRECTORY_PROFILES).
Sizes: BENCH_SCALE_REQUESTS (1,000,000 stored in all) and BENCH_SCALE_DUE (100,000 of them due at once).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.section import Section
from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port

STORED = int(os.environ.get("BENCH_SCALE_REQUESTS", "1000000"))
DUE = int(os.environ.get("BENCH_SCALE_DUE", "100000"))
STRUCTURES = 2000
REPLICAS = 2
INTAKE_REQUESTS = 2000
INTAKE_CLIENTS = 20
DEPARTMENTS = ["75", "69", "13", "33", "59", "67", "2A", "971", "974", "35"]
DOMAINS = ["site_internet_ecommerce", "cybersecurite", "gestion_interne", "reseaux_sociaux_communication"]
CHUNK = 50_000
FIRE_TIMEOUT = 1800.0


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _seed_structures(conn: asyncpg.Connection, now: datetime) -> list[tuple[uuid.UUID, str]]:
    rows = []
    for i in range(STRUCTURES):
        department = DEPARTMENTS[i % len(DEPARTMENTS)]
        rows.append((uuid.uuid4(), uuid.uuid4(), f"Structure {i}", f"Ville {i % 97}", department, "Région",
                     "Europe/Paris", [f"structure{i}@bench.example"], [DOMAINS[i % len(DOMAINS)]], now, f"structure-{i}",
                     f"https://activateurs.example.fr/activateurs/structure-{i}", True, now))
    await conn.copy_records_to_table(
        "structures", records=rows,
        columns=["structure_id", "account_id", "name", "city", "department", "region", "timezone", "contact_emails",
                 "domains", "profile_at", "slug", "profile_url", "published", "publication_at"])
    return [(row[0], row[10]) for row in rows]


def _requests(start: int, count: int, structures: list[tuple[uuid.UUID, str]], now: datetime) -> list[tuple]:
    """Old requests (acknowledged) first; the last DUE are still waiting (reminder sent, deadline tomorrow)."""
    rows = []
    for i in range(start, start + count):
        structure_id = structures[i % len(structures)][0]
        due = i >= STORED - DUE
        received = now - (timedelta(days=3) if due else timedelta(minutes=10 + i % 500_000))
        rows.append((uuid.uuid4(), structure_id, f"Entreprise {i}", f"Contact {i}", f"business{i}@bench.example",
                     "75001", [DOMAINS[i % len(DOMAINS)]], "Bonjour, nous souhaitons un site web.",
                     "forwarded" if due else "acknowledged", received, received + timedelta(hours=24),
                     # The waiting ones fall due together later, when the relays run (`_make_due`).
                     now + timedelta(days=1) if due else received + timedelta(hours=48), "Europe/Paris",
                     received + timedelta(hours=24) if due else None, None if due else received + timedelta(hours=2)))
    return rows


async def _store_requests(conn: asyncpg.Connection, structures: list[tuple[uuid.UUID, str]], now: datetime) -> float:
    started = time.perf_counter()
    for start in range(0, STORED, CHUNK):
        await conn.copy_records_to_table(
            "contact_requests", records=_requests(start, min(CHUNK, STORED - start), structures, now),
            columns=["id", "structure_id", "company_name", "contact_name", "email", "postal_code", "domains",
                     "message", "status", "received_at", "reminder_at", "ack_deadline", "timezone",
                     "reminder_sent_at", "acknowledged_at"])
    await conn.execute("ANALYZE")
    return time.perf_counter() - started


async def _intake(url: str, slugs: list[str]) -> tuple[float, list[float]]:
    """Closed-loop intake with 1,000,000 requests stored: requests/s and latencies."""
    latencies: list[float] = []
    counter = iter(range(INTAKE_REQUESTS))
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        async def worker() -> None:
            for i in counter:
                body = {"activator_slug": random.choice(slugs), "company_name": f"Scale {i}",
                        "contact_name": f"Scale {i}", "email": f"scale{i}-{uuid.uuid4().hex[:6]}@bench.example",
                        "postal_code": "75001", "domains": ["site_internet_ecommerce"],
                        "message": "Bonjour, nous souhaitons vendre en ligne : un devis ?"}
                began = time.perf_counter()
                response = await client.post("/api/v1/contact-requests", json=body)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 202:
                    raise RuntimeError(f"intake answered {response.status_code}: {response.text[:200]}")
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(INTAKE_CLIENTS)))
        return INTAKE_REQUESTS / (time.perf_counter() - started), latencies


async def _make_due(conn: asyncpg.Connection) -> None:
    """One statement: every waiting request's deadline is now, so all fall due at the same instant."""
    await conn.execute("UPDATE contact_requests SET ack_deadline = now() WHERE status = 'forwarded'")


async def _fired_counts(conn: asyncpg.Connection) -> tuple[int, int]:
    """Requests still waiting past their deadline; overdue events written. None waiting and exactly DUE events
    means each deadline fired once: one firing at least moved each request on, a second would add an event."""
    waiting = await conn.fetchval("SELECT count(*) FROM contact_requests WHERE status = 'forwarded' "
                                  "AND ack_deadline <= now()")
    events = await conn.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'contact_relay.request.overdue.v1'")
    return waiting, events


async def section() -> Section:
    databases = DatabaseFactory()
    vhost_name, amqp_url = create_vhost()
    relays: list[ServiceProcess] = []
    try:
        url = await databases.fresh("contact-relay")
        now = datetime.now(UTC)
        conn = await asyncpg.connect(_asyncpg_dsn(url))
        try:
            structures = await _seed_structures(conn, now)
            store_seconds = await _store_requests(conn, structures, now)
            print(f"scale: {STORED:,} requests stored in {store_seconds:.0f} s", file=sys.stderr)
            with tempfile.TemporaryDirectory() as tmp:
                env = {"DATABASE_URL": url, "RABBITMQ_URL": amqp_url, "LOG_LEVEL": "WARNING",
                       "CONTACT_RELAY_SWEEP_INTERVAL_SECONDS": "0.5",
                       "CONTACT_RELAY_RATE_LIMIT_PER_ADDRESS": "100000000",
                       "PUBLIC_BASE_URL": "https://activateurs.example.fr"}
                relays = [ServiceProcess("contact-relay", port=free_port(), log_dir=Path(tmp), env=env)
                          for _ in range(REPLICAS)]
                for relay in relays:
                    relay.start()
                for relay in relays:
                    await asyncio.to_thread(relay.wait_ready, 120)
                await _make_due(conn)
                started = time.perf_counter()
                while True:
                    waiting, events = await _fired_counts(conn)
                    elapsed = time.perf_counter() - started
                    if waiting == 0 or elapsed > FIRE_TIMEOUT:
                        break
                    await asyncio.sleep(1)
                fire_seconds = time.perf_counter() - started
                await asyncio.sleep(3)  # a second firing, if any, would show up now
                waiting, events = await _fired_counts(conn)
                rate, latencies = await _intake(relays[0].url, [slug for _, slug in structures])
        finally:
            await conn.close()
    finally:
        for relay in relays:
            relay.stop()
        delete_vhost(vhost_name)
        await databases.drop_all()

    exactly_once = waiting == 0 and events == DUE
    quantiles = statistics.quantiles(latencies, n=100)
    markdown = "\n".join([
        "## Scale run",
        "",
        f"One contact-relay database holding {STORED:,} contact requests (stored with COPY in {store_seconds:.0f} s), "
        f"{DUE:,} of them still waiting; with {REPLICAS} relay processes running, one statement makes all "
        f"{DUE:,} deadlines due at the same instant and their sweepers (SKIP LOCKED claims, batches) fire them. The 100,000 published profiles are the "
        "directory section's corpus.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| {DUE:,} deadlines due at once → all fired | {fire_seconds:.1f} s |",
        f"| deadlines fired per second | {DUE / fire_seconds:.0f} |",
        f"| overdue events written (one per request if exactly once) | {events:,} |",
        f"| intake with {STORED:,} stored (20 clients, {INTAKE_REQUESTS:,} requests) | {rate:.0f} req/s, "
        f"p50 {quantiles[49] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms |",
        "",
        f"Exactly once: **{'yes' if exactly_once else 'NO'}** ({DUE - waiting:,} of {DUE:,} fired, "
        f"{events:,} overdue events).",
    ])
    return Section(markdown, {"stored": STORED, "due": DUE, "fire_seconds": fire_seconds,
                              "fired_per_second": DUE / fire_seconds, "overdue_events": events,
                              "exactly_once": exactly_once, "intake_at_scale_rps": rate,
                              "intake_at_scale_p99_ms": quantiles[98] * 1000})
