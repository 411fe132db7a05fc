"""Validation intake (submitted event → case stored: inbox, writes, outbox) beside a bare aio-pika + asyncpg hop."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from activateurs.shared.db import Database
from activateurs.shared.messaging.tables import outbox
from activateurs.validation.adapters.tables import cases, revisions
from bench.section import Section
from services.validation.tests.conftest import submitted
from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port

EVENTS = 3000
ROUNDS = 3   # baseline and service alternate; medians are reported, so one noisy round does not decide
GOAL = 0.5
PREFETCH = 64


@dataclass(frozen=True)
class Result:
    name: str
    events: int
    seconds: float
    stored_seconds: float | None = None  # the service only: until the last case was stored (relay not waited for)

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


def _bodies(count: int) -> list[tuple[str, bytes]]:
    """Distinct dossiers, each a full realistic snapshot (about 2.5 kB)."""
    return [(str(e.event_id), e.model_dump_json().encode()) for e in (submitted() for _ in range(count))]


async def _publish(url: str, routing_key: str, bodies: list[tuple[str, bytes]], *, exchange: str = "") -> None:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = channel.default_exchange if not exchange else await channel.get_exchange(exchange, ensure=False)
        for start in range(0, len(bodies), 500):
            await asyncio.gather(*(
                target.publish(aio_pika.Message(body, message_id=message_id, content_type="application/json",
                                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                                headers={"event_type": routing_key}), routing_key=routing_key)
                for message_id, body in bodies[start:start + 500]))
    finally:
        await connection.close()


async def bare_hop(databases: DatabaseFactory, count: int) -> Result:
    """The baseline: consume, insert the event in a transaction, publish an event with confirm, ack."""
    name, url = create_vhost()
    database_url = await databases.fresh("validation")
    parsed = make_url(database_url)
    pool = await asyncpg.create_pool(host=parsed.host, port=parsed.port, user=parsed.username,
                                     database=parsed.database, min_size=10, max_size=10)
    connection = await aio_pika.connect(url)
    try:
        await pool.execute("CREATE TABLE bare_cases (dossier_id uuid PRIMARY KEY, revision int, data jsonb, "
                           "received_at timestamptz DEFAULT now())")
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.declare_queue("bench.in", durable=True, arguments={"x-queue-type": "quorum"})
        await channel.declare_queue("bench.out", durable=True, arguments={"x-queue-type": "quorum"})
        await _publish(url, "bench.in", _bodies(count))
        done = asyncio.Event()
        handled = 0
        started: list[float] = []

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal handled
            if not started:
                started.append(time.perf_counter())
            event = json.loads(message.body)
            data = event["data"]
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("INSERT INTO bare_cases (dossier_id, revision, data) VALUES ($1, $2, $3)",
                                   uuid.UUID(data["dossier_id"]), data["revision"], json.dumps(data))
            out = json.dumps({"event_id": str(uuid.uuid4()), "dossier_id": data["dossier_id"]}).encode()
            await channel.default_exchange.publish(
                aio_pika.Message(out, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key="bench.out",
                mandatory=True)
            await message.ack()
            handled += 1
            if handled == count:
                done.set()

        await queue.consume(on_message)
        await asyncio.wait_for(done.wait(), 300)
        elapsed = time.perf_counter() - started[0]
    finally:
        await connection.close()
        await pool.close()
        delete_vhost(name)
    return Result(f"bare aio-pika + asyncpg hop (prefetch {PREFETCH}, 10 connections)", count, elapsed)


async def service_run(databases: DatabaseFactory, count: int, log_dir: Path) -> Result:
    """The validation service as a real process draining `count` submitted events already in its queue.

    Throughput = count / (first revision received → last case stored and its outbox event published),
    instants recorded by the service itself.
    """
    name, amqp_url = create_vhost()
    database_url = await databases.fresh("validation")
    env = {"DATABASE_URL": database_url, "RABBITMQ_URL": amqp_url, "LOG_LEVEL": "WARNING",
           "VALIDATION_WEBSITE_CHECK": "false", "OUTBOX_POLL_INTERVAL": "0.2"}
    db = Database(database_url, pool_size=2)
    try:
        first = ServiceProcess("validation", port=free_port(), log_dir=log_dir, env=env)
        first.start()  # declares its queue, then stops
        await asyncio.to_thread(first.wait_ready)
        first.stop()
        await _publish(amqp_url, "registration.dossier.submitted.v1", _bodies(count), exchange="activateurs.events")
        process = ServiceProcess("validation", port=free_port(), log_dir=log_dir, env=env)
        process.start()
        try:
            deadline = time.monotonic() + 300
            while True:
                async with db.sessions() as session:
                    stored = (await session.execute(sa.select(sa.func.count()).select_from(cases))).scalar_one()
                    pending = (await session.execute(sa.select(sa.func.count()).select_from(outbox).where(
                        outbox.c.published_at.is_(None)))).scalar_one()
                if stored >= count and pending == 0:
                    break
                assert time.monotonic() < deadline, f"validation stored {stored}/{count}; see {log_dir}"
                await asyncio.sleep(0.05)
            async with db.sessions() as session:
                begin, stored_end = (await session.execute(sa.select(
                    sa.func.min(revisions.c.received_at), sa.func.max(revisions.c.received_at)))).one()
                published_end = (await session.execute(sa.select(sa.func.max(outbox.c.published_at)))).scalar_one()
        finally:
            process.stop()
        return Result("validation, 1 process (event taken → case stored, outbox published)", count,
                      (max(stored_end, published_end) - begin).total_seconds(),
                      stored_seconds=(stored_end - begin).total_seconds())
    finally:
        await db.dispose()
        delete_vhost(name)


def _median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.per_second)[len(results) // 2]


async def section() -> Section:
    databases = DatabaseFactory()
    bares: list[Result] = []
    services: list[Result] = []
    try:
        with tempfile.TemporaryDirectory() as logs:
            await bare_hop(databases, 300)  # warm-up: connections, imports
            for _ in range(ROUNDS):
                bares.append(await bare_hop(databases, EVENTS))
                services.append(await service_run(databases, EVENTS, Path(logs)))
    finally:
        await databases.drop_all()
    bare, service = _median(bares), _median(services)
    ratio = service.per_second / bare.per_second
    rounds = "; ".join(f"bare {b.per_second:.0f}, validation {s.per_second:.0f}"
                       for b, s in zip(bares, services, strict=True))
    markdown = "\n".join([
        "## Validation intake",
        "",
        f"{EVENTS} `registration.dossier.submitted.v1` events (distinct dossiers, full snapshots of about 2.5 kB)",
        f"already waiting in the queue; median of {ROUNDS} alternating rounds. The service takes each through",
        "parsing, the pre-checks, the inbox, the revision and case rows, the history step and the",
        "`dossier_received` email request in the outbox, then the relay publishes it with confirms. The bare hop",
        "consumes, inserts the event in a transaction, publishes one event with confirm and acks.",
        "",
        "| run | events/s | vs bare hop |",
        "|---|---:|---:|",
        f"| {bare.name} — baseline | {bare.per_second:.0f} | 100% |",
        f"| {service.name} | {service.per_second:.0f} | {ratio:.0%} |",
        "",
        f"Cases stored alone (not waiting for the relay to publish): {EVENTS / service.stored_seconds:.0f} events/s "
        "in the median round.",
        "",
        f"Goal: the service ≥ {GOAL:.0%} of the bare hop — **{'met' if ratio >= GOAL else 'NOT met'}** "
        f"({ratio:.0%}). Rounds (events/s): {rounds}.",
    ])
    return Section(markdown, {"bare": bare.per_second, "validation": service.per_second, "ratio": ratio,
                              "validation_stored_only": EVENTS / (service.stored_seconds or service.seconds)})
