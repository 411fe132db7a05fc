"""The faults suite's flows: services as processes on private infra, accepted dossiers and contact requests, exact totals."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aio_pika
import asyncpg
import httpx

from activateurs.shared.contracts.contact_relay import RequestForwarded
from activateurs.shared.contracts.directory import StructurePublished
from activateurs.shared.contracts.dossier import Profile
from activateurs.shared.contracts.validation import DossierAccepted, DossierAcceptedData
from activateurs.shared.messaging.topology import EVENTS_EXCHANGE

from .amqp import AmqpProbe
from .private_infra import PrivatePostgres, PrivateRabbit, PrivateRabbitCluster
from .processes import ServiceProcess
from .smtp import SmtpSink, free_port
from .tokens import TokenIssuer
from .waiting import eventually

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TAP = "faults.tap"  # the test's own durable queue: what the services published, kept across broker restarts
TAPPED = (StructurePublished.routing_key, RequestForwarded.routing_key)
ACK_LINK = re.compile(r"/contact-requests/([0-9a-f-]{36})/acknowledgement")

# Fast loops, quick retries, generous limits: the faults are the only thing slowing a flow down.
SERVICE_ENV = {
    "registration": {"REGISTRATION_ARGON2_TIME_COST": "1", "REGISTRATION_ARGON2_MEMORY_KIB": "8192",
                     "REGISTRATION_ARGON2_PARALLELISM": "1"},
    "directory": {"DIRECTORY_COUNTERS_FLUSH_SECONDS": "0.5", "DIRECTORY_READ_POOL_SIZE": "4"},
    "contact-relay": {"CONTACT_RELAY_RATE_LIMIT_PER_ADDRESS": "1000000", "CONTACT_RELAY_RATE_LIMIT_PER_EMAIL": "1000",
                      "CONTACT_RELAY_SWEEP_INTERVAL_SECONDS": "1"},
    "notifier": {"NOTIFIER_BACKOFF_BASE_SECONDS": "0.5", "NOTIFIER_BACKOFF_MAX_SECONDS": "4",
                 "NOTIFIER_MAX_ATTEMPTS": "80", "NOTIFIER_CLAIM_LEASE_SECONDS": "10",
                 "NOTIFIER_IDLE_POLL_SECONDS": "0.2", "NOTIFIER_SMTP_TIMEOUT": "10"},
}


def structure_email(index: int) -> str:
    return f"contact{index}@activateur{index}.example.fr"


def business_email(index: int) -> str:
    return f"dirigeant{index}@entreprise{index}.example.fr"


def profile(token: str, index: int, *, name: str | None = None, contact: str | None = None) -> Profile:
    return Profile.model_validate({
        "name": name or f"Activateur {token} {index}", "structure_type": "entreprise_services_numeriques",
        "category": "privee", "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
        "department": "75", "region": "11", "intervention_area": {"departments": ["75"], "national": False},
        "headcount_band": "10-19", "website": "https://exemple.fr", "social_links": [],
        "description": f"Accompagnement numérique des TPE ({token}).", "pricing": "Diagnostic offert",
        "domains": ["site_internet_ecommerce"], "services": ["conseil"], "client_references": [], "networks": [],
        "certifications": [], "members": [],
        "routing": {"contact_emails": [contact or structure_email(index)], "department": "75",
                    "timezone": "Europe/Paris"},
    })


def accepted(structure_id: uuid.UUID, content: Profile, when: datetime) -> DossierAccepted:
    return DossierAccepted.new(
        DossierAcceptedData(dossier_id=uuid.uuid4(), structure_id=structure_id, account_id=uuid.uuid4(),
                            profile=content, accepted_at=when, engagement_expires_at=when + timedelta(days=730)),
        producer="validation", occurred_at=when)


@dataclass
class Stack:
    """The services one test needs, as real processes on the private broker and database server."""

    rabbit: PrivateRabbit | PrivateRabbitCluster
    postgres: PrivatePostgres
    vhost_url: str
    issuer: TokenIssuer
    smtp: SmtpSink
    log_dir: Path
    databases: dict[str, str] = field(default_factory=dict)
    processes: dict[str, list[ServiceProcess]] = field(default_factory=lambda: defaultdict(list))
    killed: list[ServiceProcess] = field(default_factory=list)

    async def database(self, service: str) -> str:
        if service not in self.databases:
            self.databases[service] = await self.postgres.fresh(service)
        return self.databases[service]

    async def start(self, *services: str, replicas: int = 1) -> list[ServiceProcess]:
        """Start `replicas` processes of each service at once, then wait until every one is ready."""
        started = []
        for service in services:
            database = await self.database(service)
            for _ in range(replicas):
                process = ServiceProcess(service, port=free_port(), log_dir=self.log_dir, env={
                    "DATABASE_URL": database, "RABBITMQ_URL": self.vhost_url,
                    "ENVIRONMENT": "test", "OUTBOX_POLL_INTERVAL": "0.2", "LOG_LEVEL": "INFO",
                    "PUBLIC_BASE_URL": "https://activateurs.example.fr", "JWKS_URL": self.issuer.jwks_url,
                    "JWT_ISSUER": self.issuer.issuer, "JWT_AUDIENCE": self.issuer.audience,
                    "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port), **SERVICE_ENV.get(service, {})})
                process.start()
                self.processes[service].append(process)
                started.append(process)
        await self.wait_ready(started)
        return started

    async def wait_ready(self, processes: list[ServiceProcess] | None = None, timeout: float = 120) -> None:
        every = processes if processes is not None else [p for ps in self.processes.values() for p in ps]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, timeout) for p in every))

    async def kill_and_restart(self, service: str, down_seconds: float = 1.0) -> None:
        """SIGKILL the service's first process (no shutdown code runs), then start a new one on its database."""
        victim = self.processes[service].pop(0)
        victim.kill()
        self.killed.append(victim)
        await asyncio.sleep(down_seconds)
        replacement = (await self.start(service))[0]
        self.processes[service].remove(replacement)
        self.processes[service].insert(0, replacement)

    def first(self, service: str) -> ServiceProcess:
        return self.processes[service][0]

    def stop(self) -> None:
        """SIGTERM every process at once (each shuts down gracefully), then wait for them all."""
        every = [p for ps in self.processes.values() for p in ps]
        with ThreadPoolExecutor(max_workers=max(1, len(every))) as pool:
            list(pool.map(lambda process: process.stop(), every))

    async def pending_outbox(self) -> dict[str, int]:
        """Outbox rows not published yet, per service."""
        counts = {}
        for service, url in self.databases.items():
            conn = await asyncpg.connect(_plain(url))
            try:
                counts[service] = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            finally:
                await conn.close()
        return counts

    def logs(self, service: str) -> str:
        return "\n".join(p.log_text()[-4000:] for p in self.processes[service])


async def declare_tap(url: str, name: str = TAP, keys: tuple[str, ...] = TAPPED) -> None:
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE.name, aio_pika.ExchangeType.TOPIC,
                                                  durable=True, arguments=EVENTS_EXCHANGE.arguments)
        queue = await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
        for key in keys:
            await queue.bind(exchange, routing_key=key)


async def drain(url: str, name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    async with await aio_pika.connect(url) as connection:
        queue = await (await connection.channel()).get_queue(name, ensure=True)
        taken = []
        while (message := await queue.get(fail=False)) is not None:
            await message.ack()
            taken.append(message)
        return taken


@dataclass
class Flow:
    """N accepted structures and M contact requests through directory, contact-relay and notifier.

    Totals are checked at the end, exactly: each structure published once (one event id) and
    searchable; each request stored once, forwarded once (one event, one mail to the structure)
    and confirmed once (one mail to the business).
    """

    stack: Stack
    structures: int
    token: str = field(default_factory=lambda: "zq" + uuid.uuid4().hex[:8])
    ids: list[uuid.UUID] = field(init=False)
    requests: dict[str, int] = field(default_factory=dict)  # request id -> business index
    request_structure: dict[str, int] = field(default_factory=dict)  # request id -> structure index
    tapped: list[tuple[str, str | None, dict]] = field(default_factory=list)  # routing key, message id, body

    def __post_init__(self) -> None:
        self.ids = [uuid.uuid4() for _ in range(self.structures)]
        self._businesses = itertools.count()

    def accepted_event(self, index: int) -> DossierAccepted:
        return accepted(self.ids[index], profile(self.token, index), T0 + timedelta(minutes=index))

    async def publish_accepted(self, indexes: range, probe: AmqpProbe) -> list[DossierAccepted]:
        events = [self.accepted_event(i) for i in indexes]
        for event in events:
            await probe.publish_event(event)
        return events

    async def routable(self) -> int:
        """Structures contact-relay can route to (it learnt their slug from directory's published event)."""
        conn = await asyncpg.connect(_plain(self.stack.databases["contact-relay"]))
        try:
            return await conn.fetchval("SELECT count(*) FROM structures WHERE published AND slug IS NOT NULL "
                                       "AND structure_id = ANY($1::uuid[])", self.ids)
        finally:
            await conn.close()

    async def wait_routable(self, count: int, timeout: float = 120) -> None:
        await eventually(lambda: self._at_least(count), timeout=timeout, interval=0.3,
                         what=f"{count} structures routable in contact-relay")

    async def _at_least(self, count: int) -> bool:
        return await self.routable() >= count

    async def slugs(self) -> dict[uuid.UUID, str]:
        conn = await asyncpg.connect(_plain(self.stack.databases["contact-relay"]))
        try:
            rows = await conn.fetch("SELECT structure_id, slug FROM structures WHERE structure_id = ANY($1::uuid[])",
                                    self.ids)
        finally:
            await conn.close()
        return {row["structure_id"]: row["slug"] for row in rows if row["slug"]}

    async def post_requests(self, structure_indexes: list[int], *, url: str | None = None) -> None:
        """One contact request per index given, each from a distinct business; every one must be accepted (202)."""
        slugs = await self.slugs()
        target = url or self.stack.first("contact-relay").url
        async with httpx.AsyncClient(base_url=target, timeout=60) as http:
            async def post(structure: int) -> None:
                business = next(self._businesses)
                body = {"activator_slug": slugs[self.ids[structure]], "company_name": f"Entreprise {business}",
                        "contact_name": f"Dirigeant {business}", "email": business_email(business),
                        "postal_code": "75011", "domains": ["site_internet_ecommerce"],
                        "message": f"Bonjour, nous cherchons un accompagnement ({self.token} {business})."}
                response = await http.post("/api/v1/contact-requests", json=body)
                assert response.status_code == 202, f"request {business}: {response.status_code} {response.text}"
                request_id = response.json()["id"]
                self.requests[request_id] = business
                self.request_structure[request_id] = structure

            for start in range(0, len(structure_indexes), 20):  # a few at a time, as a busy site would
                await asyncio.gather(*(post(s) for s in structure_indexes[start:start + 20]))

    async def collect(self) -> None:
        for message in await drain(self.stack.vhost_url, TAP):
            self.tapped.append((message.routing_key or "", message.message_id, json.loads(message.body)))

    def published(self) -> dict[str, set[str]]:
        """structure id -> event ids of its `directory.structure.published.v1` events."""
        found: dict[str, set[str]] = defaultdict(set)
        for key, message_id, body in self.tapped:
            if key == StructurePublished.routing_key:
                assert message_id == body["event_id"]
                found[body["data"]["structure_id"]].add(body["event_id"])
        return found

    def forwarded(self) -> dict[str, set[str]]:
        """request id -> event ids of its `contact_relay.request.forwarded.v1` events."""
        found: dict[str, set[str]] = defaultdict(set)
        for key, message_id, body in self.tapped:
            if key == RequestForwarded.routing_key:
                assert message_id == body["event_id"]
                found[body["data"]["request_id"]].add(body["event_id"])
        return found

    def expected_mails(self) -> int:
        return 2 * len(self.requests)  # one to the structure, one confirmation to the business

    async def wait_all_done(self, timeout: float = 180) -> None:
        """Everything expected has arrived (at least once); the exact totals are checked after a quiet spell."""
        async def done() -> bool:
            await self.collect()
            return (len(self.stack.smtp.mails) >= self.expected_mails()
                    and len(self.published()) >= self.structures and len(self.forwarded()) >= len(self.requests))

        await eventually(done, timeout=timeout, interval=0.5,
                         what=f"{self.structures} publications, {len(self.requests)} forwards, "
                              f"{self.expected_mails()} mails")
        await asyncio.sleep(3)  # a late duplicate, if any, would arrive now
        await self.collect()

    async def search_items(self) -> list[dict]:
        """What the public search finds by this run's token, every page."""
        items: list[dict] = []
        async with httpx.AsyncClient(base_url=self.stack.first("directory").url, timeout=30) as http:
            page = 1
            while True:
                response = await http.get("/api/v1/activators",
                                          params={"q": self.token, "page": page, "page_size": 100})
                assert response.status_code == 200, f"search: {response.status_code} {response.text[:300]}"
                body = response.json()
                items += body["items"]
                if page * 100 >= body["total"]:
                    return items
                page += 1

    async def searchable(self) -> set[str]:
        return {item["structure_id"] for item in await self.search_items()}

    def mail_ids(self) -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]]]:
        """Message-IDs of the raw mails: (confirmations per business, forwards per (structure address, request))."""
        confirmations: dict[str, list[str]] = defaultdict(list)
        forwards: dict[tuple[str, str], list[str]] = defaultdict(list)
        for mail in self.stack.smtp.mails:
            (recipient,) = mail.recipients
            link = ACK_LINK.search(mail.part("text/plain"))
            if link:
                forwards[(recipient, link.group(1))].append(mail.message_id)
            else:
                confirmations[recipient].append(mail.message_id)
        return confirmations, forwards

    async def assert_exactly_once(self, *, resends_allowed: int = 0) -> None:
        """The issue's totals, exactly. `resends_allowed`: only after a notifier crash may a mail accepted by the
        SMTP server but not yet recorded go out again, with the same Message-ID (the documented trade-off)."""
        expected_ids = {str(sid) for sid in self.ids}
        published = self.published()
        assert set(published) == expected_ids, \
            f"published {len(set(published) & expected_ids)} of {len(expected_ids)} structures, " \
            f"{len(set(published) - expected_ids)} unknown"
        twice = {sid: ids for sid, ids in published.items() if len(ids) != 1}
        assert not twice, f"{len(twice)} structures published more than once: {list(twice.items())[:3]}"
        assert await self.searchable() == expected_ids

        forwarded = self.forwarded()
        assert set(forwarded) == set(self.requests), \
            f"forwarded {len(set(forwarded) & set(self.requests))} of {len(self.requests)} requests, " \
            f"{len(set(forwarded) - set(self.requests))} unknown"
        twice = {rid: ids for rid, ids in forwarded.items() if len(ids) != 1}
        assert not twice, f"{len(twice)} requests forwarded more than once: {list(twice.items())[:3]}"

        confirmations, forwards = self.mail_ids()
        assert set(confirmations) == {business_email(b) for b in self.requests.values()}, \
            f"confirmations reached {len(confirmations)} businesses of {len(self.requests)}"
        assert set(forwards) == {(structure_email(self.request_structure[rid]), rid) for rid in self.requests}, \
            f"forwarded mails: {len(forwards)} (address, request) pairs for {len(self.requests)} requests"
        distinct = {key: set(ids) for key, ids in (*confirmations.items(), *forwards.items()) if len(set(ids)) != 1}
        assert not distinct, f"{len(distinct)} mails sent twice as different messages: {list(distinct.items())[:3]}"
        resent = sum(len(ids) - 1 for ids in (*confirmations.values(), *forwards.values()))
        redelivered = len(self.tapped) - len(published) - len(forwarded)
        print(f"faults totals: {len(published)} structures published, {len(forwarded)} requests forwarded, "
              f"{len(self.stack.smtp.mails)} mails, {redelivered} events relayed again with the same id, "
              f"{resent} mails resent with the same Message-ID")  # shown with -s: what the fault cost
        assert resent <= resends_allowed, f"{resent} mails sent twice (same Message-ID)"
        assert len(self.stack.smtp.mails) == self.expected_mails() + resent


async def half_flowing(stack: Stack, probe: AmqpProbe, structures: int, requests: int) -> Flow:
    """The three services up, the first half of the structures online and `requests` to them in flight."""
    await stack.start("directory", "contact-relay", "notifier")
    flow = Flow(stack, structures)
    half = structures // 2
    await flow.publish_accepted(range(half), probe)
    await flow.wait_routable(half)
    await flow.post_requests([i % half for i in range(requests)])
    return flow


async def second_half_and_totals(flow: Flow, requests: int, *, resends_allowed: int = 0) -> None:
    """Once the fault is over: every structure routable, `requests` more to the second half, exact totals."""
    half = flow.structures // 2
    await flow.wait_routable(flow.structures)
    await flow.post_requests([half + i % half for i in range(requests)])
    await flow.wait_all_done()
    await flow.assert_exactly_once(resends_allowed=resends_allowed)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")
