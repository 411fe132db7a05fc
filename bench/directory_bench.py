"""Directory: search and profile-page throughput beside a bare FastAPI + asyncpg primary-key lookup; acceptance → searchable latency.

Run alone: `.venv/bin/python -c "import asyncio, sys; sys.path.insert(0, '.'); from bench.directory_bench import section;
print(asyncio.run(section()).markdown)"`. `python -m bench.directory_bench bare PORT DATABASE_URL` is the baseline server.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import asyncpg

from bench.section import Section
from tests.support.amqp import AmqpProbe
from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import BIN, ServiceProcess
from tests.support.smtp import free_port

PROFILES = int(os.environ.get("BENCH_DIRECTORY_PROFILES", "100000"))
CLIENTS = 50
SECONDS = 8.0
WARMUP = 1.5
ROUNDS = 5  # odd: the median is a measured round; five, as a 2-core machine's rounds move a lot
ACCEPTANCES = 1000
ACCEPTANCE_RATE = 200  # events/s
GOALS = {"search": 0.40, "profile": 0.70}
LATENCY_GOAL_P99 = 1.0
ROOT = Path(__file__).resolve().parents[1]


# --- the bare baseline: FastAPI + asyncpg, one primary-key lookup returning the stored JSON ---------------------

def bare_app(database_url: str):  # noqa: ANN201 - built in the child process only
    from contextlib import asynccontextmanager

    from fastapi import FastAPI, Response

    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        pool["p"] = await asyncpg.create_pool(database_url, min_size=1, max_size=20)
        yield
        await pool["p"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/bare/{structure_id}")
    async def lookup(structure_id: uuid.UUID) -> Response:
        async with pool["p"].acquire() as conn:
            body = await conn.fetchval("SELECT public_json FROM structures WHERE structure_id = $1", structure_id)
        return Response(body, media_type="application/json")

    return app


def serve_bare(port: int, database_url: str) -> None:
    import uvicorn
    uvicorn.run(bare_app(database_url), host="127.0.0.1", port=port, log_config=None, access_log=False)


# --- a small keep-alive HTTP/1.1 load generator (httpx would be the bottleneck) ---------------------------------

@dataclass(frozen=True)
class Load:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _client(port: int, paths: list[str], stop_at: float, record_from: float, rng: random.Random,
                  latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (now := time.perf_counter()) < stop_at:
            path = rng.choice(paths)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
            status_line = await reader.readline()
            length, chunked = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                lowered = line.lower()
                if lowered.startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif lowered.startswith(b"transfer-encoding:") and b"chunked" in lowered:
                    chunked = True
            if chunked:  # a streamed answer (rendered pages may be): chunks until the empty one, then trailers
                while (size := int((await reader.readline()).split(b";")[0], 16)) > 0:
                    await reader.readexactly(size + 2)
                while await reader.readline() not in (b"\r\n", b""):
                    pass
            else:
                await reader.readexactly(length)
            if now >= record_from:
                latencies.append(time.perf_counter() - now)
                if b" 200 " not in status_line:
                    errors[0] += 1
    finally:
        writer.close()


async def load(name: str, port: int, paths: list[str], *, seconds: float = SECONDS, warmup: float = WARMUP,
               clients: int = CLIENTS) -> Load:
    """`clients` keep-alive connections, each sending random `paths` back to back; counted after `warmup`.

    Client i draws with random.Random(i): two loads over lists of the same length ask in the same order.
    """
    started = time.perf_counter()
    record_from, stop_at = started + warmup, started + warmup + seconds
    latencies: list[float] = []
    errors = [0]
    await asyncio.gather(*(_client(port, paths, stop_at, record_from, random.Random(i), latencies, errors)
                           for i in range(clients)))
    return Load(name, len(latencies), seconds, latencies, errors[0])


# --- the run -------------------------------------------------------------------------------------------------------

QUERIES = ["cybersécurité", "cyber securite", "site internet", "boutique en ligne", "réseaux sociaux", "formation",
           "stratégie numérique", "facturation", "sauvegardes", "référencement"]
DOMAINS = ["strategie_numerique", "site_internet_ecommerce", "reseaux_sociaux_communication", "gestion_donnees",
           "gestion_interne", "cybersecurite"]


def search_paths(departments: list[str], rng: random.Random, count: int = 2000) -> list[str]:
    """A business's search: always its department, with free text, a domain, or both."""
    paths = []
    for _ in range(count):
        kind = rng.randrange(3)
        params: dict[str, str] = {"department": rng.choice(departments)}
        if kind in (0, 2):
            params["q"] = rng.choice(QUERIES)
        if kind in (1, 2):
            params["domain"] = rng.choice(DOMAINS)
        paths.append("/api/v1/activators?" + urlencode(params))
    return paths


async def acceptance_latency(amqp_url: str, database_url: str) -> list[float]:
    """Publish ACCEPTANCES acceptances at a steady rate; latency = row online (published_at) − publish start."""
    from activateurs.directory.adapters.geography import load_geography
    from activateurs.directory.service.seeding import fake_profile
    from activateurs.shared.contracts.validation import DossierAccepted, DossierAcceptedData

    geography = load_geography()
    postal_codes = sorted(geography.postal_codes)
    rng = random.Random(7)
    sent: dict[uuid.UUID, datetime] = {}
    async with AmqpProbe(amqp_url) as probe:
        started = time.perf_counter()
        for i in range(ACCEPTANCES):
            sid = uuid.uuid4()
            profile = fake_profile(rng, geography, postal_codes, 10_000_000 + i)
            now = datetime.now(UTC)
            event = DossierAccepted.new(DossierAcceptedData(
                dossier_id=uuid.uuid4(), structure_id=sid, account_id=uuid.uuid4(), profile=profile, accepted_at=now,
                engagement_expires_at=now + timedelta(days=730)), producer="bench", occurred_at=now)
            sent[sid] = datetime.now(UTC)
            await probe.publish_event(event)
            await asyncio.sleep(max(0.0, started + (i + 1) / ACCEPTANCE_RATE - time.perf_counter()))
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        deadline = time.monotonic() + 60
        while True:
            rows = await conn.fetch("SELECT structure_id, published_at FROM structures "
                                    "WHERE structure_id = ANY($1::uuid[]) AND online", list(sent))
            if len(rows) == ACCEPTANCES or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    return sorted((row["published_at"] - sent[row["structure_id"]]).total_seconds() for row in rows)


def _median(loads: list[Load]) -> Load:
    return sorted(loads, key=lambda r: r.per_second)[len(loads) // 2]


async def section() -> Section:
    databases = DatabaseFactory()
    vhost, amqp_url = create_vhost()
    database_url = await databases.fresh("directory")
    plain_url = database_url.replace("+asyncpg", "")
    env = {"DATABASE_URL": database_url, "RABBITMQ_URL": amqp_url, "LOG_LEVEL": "WARNING"}
    bare_port = free_port()
    bare = None
    try:
        with tempfile.TemporaryDirectory() as logs:
            seeding = subprocess.run([str(BIN / "activateurs-directory"), "seed", "--count", str(PROFILES)],
                                     env={**os.environ, **env}, capture_output=True, text=True, check=True)
            service = ServiceProcess("directory", port=free_port(), log_dir=Path(logs), env=env)
            service.start()
            bare = subprocess.Popen([sys.executable, "-m", "bench.directory_bench", "bare", str(bare_port),
                                     plain_url], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            await asyncio.to_thread(service.wait_ready)
            conn = await asyncpg.connect(plain_url)
            try:
                sample = await conn.fetch("SELECT structure_id, slug, department FROM structures WHERE online "
                                          "ORDER BY random() LIMIT 5000")
            finally:
                await conn.close()
            rng = random.Random(1)
            bare_paths = [f"/bare/{row['structure_id']}" for row in sample]
            profile_paths = [f"/api/v1/activators/{row['slug']}" for row in sample]
            searches = search_paths(sorted({row["department"] for row in sample}), rng)
            for _ in range(50):  # the bare server is up once it answers
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", bare_port)
                    writer.close()
                    break
                except OSError:
                    await asyncio.sleep(0.2)
            results: dict[str, list[Load]] = {"bare": [], "search": [], "profile": []}
            for _ in range(ROUNDS):
                results["bare"].append(await load("bare FastAPI + asyncpg primary-key lookup", bare_port, bare_paths))
                results["search"].append(await load("search (text + department + domain mix)", service.port,
                                                    searches))
                results["profile"].append(await load("profile page by slug", service.port, profile_paths))
            latencies = await acceptance_latency(amqp_url, database_url)
            service.stop()
    finally:
        if bare is not None:
            bare.terminate()
            bare.wait(10)
        await databases.drop_all()
        delete_vhost(vhost)

    bare_load, search_load, profile_load = (_median(results[k]) for k in ("bare", "search", "profile"))
    # Each round's measure beside the baseline measured just before it (the same moment's machine), then the
    # median of those ratios: a slow moment lowers both sides of its own round only.
    per_round = {k: [r.per_second / b.per_second for r, b in zip(results[k], results["bare"], strict=True)]
                 for k in ("search", "profile")}
    ratios = {k: statistics.median(values) for k, values in per_round.items()}
    p50 = latencies[len(latencies) // 2] if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")

    def row(result: Load, ratio: str) -> str:
        return (f"| {result.name} | {result.per_second:.0f} | {result.quantile(0.5) * 1000:.1f} | "
                f"{result.quantile(0.99) * 1000:.1f} | {result.errors} | {ratio} |")

    met = {k: ratios[k] >= GOALS[k] for k in GOALS}
    latency_met = len(latencies) == ACCEPTANCES and p99 < LATENCY_GOAL_P99
    markdown = "\n".join([
        "## Directory: search, profile page, acceptance → searchable",
        "",
        f"{PROFILES:,} published profiles generated by `activateurs-directory seed` "
        f"({seeding.stdout.strip()}); {CLIENTS} concurrent keep-alive clients, {SECONDS:.0f} s per measure after "
        f"{WARMUP} s of warm-up, {ROUNDS} alternating rounds (rates: the median round; ratios: the median of each "
        "round's ratio to its own baseline); one service process (uvicorn) and the bare "
        "baseline (FastAPI + asyncpg, `SELECT public_json … WHERE structure_id = $1`) on the same machine and database.",
        "Searches: a department (the business's) with free text, a domain, or both (1/3 each); random slugs/ids.",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | non-200 | vs bare |",
        "|---|---:|---:|---:|---:|---:|",
        row(bare_load, "100%"),
        row(search_load, f"{ratios['search']:.0%}"),  # noqa: E501
        row(profile_load, f"{ratios['profile']:.0%}"),
        "",
        f"Goals: search ≥ {GOALS['search']:.0%} of bare — **{'met' if met['search'] else 'NOT met'}**; profile page "
        f"≥ {GOALS['profile']:.0%} — **{'met' if met['profile'] else 'NOT met'}**.",
        "",
        f"Acceptance → searchable ({len(latencies)}/{ACCEPTANCES} acceptances at {ACCEPTANCE_RATE}/s, from the "
        f"event's publication to its row committed online): p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms — "
        f"goal p99 < {LATENCY_GOAL_P99:.0f} s **{'met' if latency_met else 'NOT met'}**.",
        "",
        "Rounds (req/s): " + "; ".join(
            f"bare {b.per_second:.0f}, search {s.per_second:.0f} ({s.per_second / b.per_second:.0%}), "
            f"profile {p.per_second:.0f} ({p.per_second / b.per_second:.0%})"
            for b, s, p in zip(results["bare"], results["search"], results["profile"], strict=True)) + ".",
    ])
    return Section(markdown, {
        "profiles": PROFILES, "bare_rps": bare_load.per_second, "search_rps": search_load.per_second,
        "profile_rps": profile_load.per_second, "search_ratio": ratios["search"], "profile_ratio": ratios["profile"],
        "search_p50_ms": search_load.quantile(0.5) * 1000, "search_p99_ms": search_load.quantile(0.99) * 1000,
        "acceptance_p50_s": p50, "acceptance_p99_s": p99})


if __name__ == "__main__" and sys.argv[1:2] == ["bare"]:
    serve_bare(int(sys.argv[2]), sys.argv[3])
