"""Registration throughput: `PUT /api/v1/dossier` and submissions under 50 concurrent clients, beside a bare
FastAPI + asyncpg endpoint (same JSON, one statement, no auth, no rules) served the same way in the same run."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Request

from bench.section import Section
from tests.support.infra import ROOT, DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port

CLIENTS = 50
PUTS = int(os.environ.get("BENCH_PUTS", "2000"))
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "600"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
GOAL = 0.4
ISSUER = "http://bench.registration"
PDF = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"
DOSSIER: dict[str, Any] = {
    "structure": {
        "name": "Numérique & Co", "structure_type": "entreprise_services_numeriques", "category": "privee",
        "siret": "73282932000074", "created_on": "2015-03-01",
        "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
        "headcount_band": "10-19", "website": "https://numerique-et-co.fr",
        "social_links": ["https://www.linkedin.com/company/numerique-et-co"],
        "description": "Accompagnement des TPE dans leur transformation numérique. " * 5,
        "pricing": "Diagnostic offert, puis 600 € HT/jour",
        "domains": ["cybersecurite", "site_internet_ecommerce"], "services": ["conseil", "formation"],
        "intervention_area": {"departments": ["75", "92", "93"], "national": False},
        "client_references": ["Boulangerie Martin (site e-commerce)"], "networks": [], "certifications": []},
    "management": {"head_first_name": "Claire", "head_last_name": "Durand",
                   "head_email": "claire.durand@numerique-et-co.fr", "registration_number": "73282932000074"},
    "declarations": {"obligations_up_to_date": True, "heads_agreement": True, "website_legal_compliance": True},
    "referent_card": {"phone": "+33 1 23 45 67 89", "presentation": "Consultante depuis 15 ans.",
                      "references": ["Refonte du site de la boulangerie Martin"], "photo_document_id": None},
}


# --- The bare baseline: FastAPI + asyncpg, one statement per request ---------------------------------------------


def baseline_app() -> Any:
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        pool["db"] = await asyncpg.create_pool(os.environ["BASELINE_DSN"], min_size=10, max_size=20)
        yield
        await pool["db"].close()

    app = FastAPI(lifespan=lifespan)

    @app.put("/dossier/{key}")
    async def put(key: uuid.UUID, request: Request) -> dict[str, str]:
        body = await request.json()
        await pool["db"].execute("UPDATE bare SET draft = $2 WHERE id = $1", key, json.dumps(body))
        return {"status": "saved"}

    @app.post("/submission/{key}", status_code=202)
    async def submit(key: uuid.UUID, request: Request) -> dict[str, str]:
        body = await request.json()
        await pool["db"].execute("INSERT INTO bare_revisions (id, body) VALUES ($1, $2)", key, json.dumps(body))
        return {"status": "submitted"}

    return app


class BaselineProcess:
    def __init__(self, dsn: str, port: int, log_dir: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._log = (log_dir / "baseline.log").open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.registration_bench:baseline_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env={**os.environ, "BASELINE_DSN": dsn, "PYTHONPATH": str(ROOT)},
            stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        for _ in range(300):
            try:
                httpx.get(f"{self.url}/openapi.json", timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("the baseline did not start")

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(20)


# --- Load ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    p99_ms: float
    retried: int = 0  # connection errors and 503 answers, each sent again (counted in the time)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def load(name: str, calls: list[tuple[str, str, dict[str, str], Any, int]]) -> Result:
    """Send `calls` (method, url, headers, json, expected status) from CLIENTS concurrent clients."""
    latencies: list[float] = []
    errors: list[str] = []
    unavailable: list[str] = []
    queue = iter(calls)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:

        async def worker() -> None:
            for method, url, headers, body, expected in queue:
                started = time.perf_counter()
                try:
                    answer = await client.request(method, url, headers=headers, json=body)
                except httpx.TransportError:
                    # A kept-alive connection closed under the client (seen on a loaded machine): counted, and
                    # the request sent once more on a new connection (idempotent here: same draft, or a
                    # submission answered 409 if the first attempt went through).
                    errors.append(url)
                    answer = await client.request(method, url, headers=headers, json=body)
                    if answer.status_code == 409 and expected == 202:
                        expected = 409  # the first attempt was a submission that went through
                for _ in range(20):  # the database refused a connection (a busy shared machine): as a client would
                    if answer.status_code != 503:
                        break
                    unavailable.append(url)
                    await asyncio.sleep(0.1)
                    answer = await client.request(method, url, headers=headers, json=body)
                latencies.append(time.perf_counter() - started)
                if answer.status_code != expected:
                    raise AssertionError(f"{name}: {method} {url} answered {answer.status_code}: {answer.text[:300]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    print(f"  {name}: {len(calls) / elapsed:.0f} requests/s, {len(errors)} connection errors, "
          f"{len(unavailable)} answers 503", file=sys.stderr, flush=True)
    return Result(name, len(calls), elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000,
                  len(errors) + len(unavailable))


# --- Data ----------------------------------------------------------------------------------------------------------


async def prepare_accounts(dsn: str, count: int, *, complete: bool) -> list[uuid.UUID]:
    """Verified activators, inserted directly (sign-up and Argon2 are not what is measured); with `complete`,
    each has a complete draft and its proof-of-existence document, ready to submit."""
    import hashlib

    ids = [uuid.uuid4() for _ in range(count)]
    now = datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany(
            "INSERT INTO accounts (id, email, password_hash, first_name, last_name, roles, created_at, verified_at) "
            "VALUES ($1, $2, 'x', 'Claire', 'Durand', ARRAY['activator'], $3, $3)",
            [(i, f"bench-{i}@example.fr", now) for i in ids])
        if complete:
            await conn.executemany(
                "INSERT INTO dossiers (id, account_id, status, draft, revision, status_changed_at, updated_at) "
                "VALUES ($1, $2, 'draft', $3::jsonb, 0, $4, $4)",
                [(uuid.uuid4(), i, json.dumps(DOSSIER), now) for i in ids])
            await conn.executemany(
                "INSERT INTO documents (id, account_id, kind, content_type, size, sha256, content, created_at) "
                "VALUES ($1, $2, 'extrait_immatriculation', 'application/pdf', $3, $4, $5, $6)",
                [(uuid.uuid4(), i, len(PDF), hashlib.sha256(PDF).hexdigest(), PDF, now) for i in ids])
    finally:
        await conn.close()
    return ids


def tokens_for(key: Any, kid: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, str]]:
    now = int(time.time())
    return {i: {"Authorization": "Bearer " + jwt.encode(
        {"iss": ISSUER, "aud": "activateurs", "sub": str(i), "iat": now, "exp": now + 3600, "roles": ["activator"]},
        key, algorithm="ES256", headers={"kid": kid})} for i in ids}


def _median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.per_second)[len(results) // 2]


async def section() -> Section:
    from activateurs.registration.service.keys import load_key

    databases = DatabaseFactory()
    vhost_name, amqp_url = create_vhost()
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    kid = load_key(pem).kid
    figures: dict[str, list[Result]] = {"put": [], "bare_put": [], "submit": [], "bare_submit": []}
    try:
        dsn = (await databases.fresh("registration")).replace("postgresql+asyncpg", "postgresql")
        conn = await asyncpg.connect(dsn)
        await conn.execute("CREATE TABLE bare (id uuid PRIMARY KEY, draft jsonb NOT NULL)")
        await conn.execute("CREATE TABLE bare_revisions (id uuid NOT NULL, body jsonb NOT NULL)")
        bare_ids = [uuid.uuid4() for _ in range(CLIENTS)]
        await conn.executemany("INSERT INTO bare VALUES ($1, '{}')", [(i,) for i in bare_ids])
        await conn.close()
        editors = await prepare_accounts(dsn, CLIENTS, complete=False)
        editor_headers = tokens_for(private, kid, editors)
        with tempfile.TemporaryDirectory(prefix="registration-bench-") as logs:
            logs = os.environ.get("BENCH_LOG_DIR", logs)  # set it to keep the processes' logs
            service = ServiceProcess("registration", port=free_port(), log_dir=Path(logs), env={
                "DATABASE_URL": dsn, "RABBITMQ_URL": amqp_url, "LOG_LEVEL": "WARNING", "JWT_ISSUER": ISSUER,
                "REGISTRATION_SIGNING_KEYS": pem})
            baseline = BaselineProcess(dsn, free_port(), Path(logs))
            service.start()
            try:
                await asyncio.to_thread(service.wait_ready)
                await asyncio.to_thread(baseline.wait_ready)
                # Warm-up: connections, compiled statements, code paths.
                await load("warm-up", [("PUT", f"{service.url}/api/v1/dossier", editor_headers[editors[i % CLIENTS]],
                                        DOSSIER, 200) for i in range(300)])
                await load("warm-up", [("PUT", f"{baseline.url}/dossier/{bare_ids[i % CLIENTS]}", {}, DOSSIER, 200)
                                       for i in range(300)])
                for _ in range(ROUNDS):
                    figures["bare_put"].append(await load("bare PUT", [
                        ("PUT", f"{baseline.url}/dossier/{bare_ids[i % CLIENTS]}", {}, DOSSIER, 200)
                        for i in range(PUTS)]))
                    figures["put"].append(await load("PUT /api/v1/dossier", [
                        ("PUT", f"{service.url}/api/v1/dossier", editor_headers[editors[i % CLIENTS]], DOSSIER, 200)
                        for i in range(PUTS)]))
                    submitters = await prepare_accounts(dsn, SUBMISSIONS, complete=True)
                    submitter_headers = tokens_for(private, kid, submitters)
                    body = {"charter_version": 1, "accept_charter": True}
                    figures["bare_submit"].append(await load("bare submission", [
                        ("POST", f"{baseline.url}/submission/{i}", {}, body, 202) for i in submitters]))
                    figures["submit"].append(await load("POST /api/v1/dossier/submission", [
                        ("POST", f"{service.url}/api/v1/dossier/submission", submitter_headers[i], body, 202)
                        for i in submitters]))
            finally:
                service.stop()
                baseline.stop()
    finally:
        await databases.drop_all()
        delete_vhost(vhost_name)
    put, bare_put = _median(figures["put"]), _median(figures["bare_put"])
    submit, bare_submit = _median(figures["submit"]), _median(figures["bare_submit"])
    put_ratio, submit_ratio = put.per_second / bare_put.per_second, submit.per_second / bare_submit.per_second
    met = put_ratio >= GOAL and submit_ratio >= GOAL
    rounds = "; ".join(f"PUT {p.per_second:.0f} vs {bp.per_second:.0f}, submission {s.per_second:.0f} vs "
                       f"{bs.per_second:.0f}" for p, bp, s, bs in zip(figures["put"], figures["bare_put"],
                                                                     figures["submit"], figures["bare_submit"],
                                                                     strict=True))
    markdown = "\n".join([
        "## Registration throughput",
        "",
        f"{CLIENTS} concurrent clients (httpx on loopback) against the real `activateurs-registration serve` process",
        "and, in the same run, a bare FastAPI + asyncpg process doing one statement per request with the same JSON",
        f"(no token, no validation). {PUTS} dossier saves and {SUBMISSIONS} submissions per round; median of "
        f"{ROUNDS} alternating rounds.",
        "A save checks the token, validates types and rules (SIRET, postal code, dates, URLs, emails), locks the",
        "dossier and writes it; a submission also freezes the revision and writes",
        "the `registration.dossier.submitted.v1` event to the outbox.",
        "",
        "| endpoint | requests/s | p99 (ms) | vs bare |",
        "|---|---:|---:|---:|",
        f"| bare FastAPI + asyncpg PUT (one UPDATE) — baseline | {bare_put.per_second:.0f} | {bare_put.p99_ms:.1f} | 100% |",
        f"| `PUT /api/v1/dossier` | {put.per_second:.0f} | {put.p99_ms:.1f} | {put_ratio:.0%} |",
        f"| bare FastAPI + asyncpg POST (one INSERT) — baseline | {bare_submit.per_second:.0f} | "
        f"{bare_submit.p99_ms:.1f} | 100% |",
        f"| `POST /api/v1/dossier/submission` | {submit.per_second:.0f} | {submit.p99_ms:.1f} | {submit_ratio:.0%} |",
        "",
        f"Goal: each ≥ {GOAL:.0%} of its bare endpoint — **{'met' if met else 'NOT met'}** (PUT {put_ratio:.0%}, "
        f"submission {submit_ratio:.0%}). Rounds (requests/s): {rounds}. Requests sent again after a dropped "
        f"connection or a 503 (all rounds): {sum(r.retried for rs in figures.values() for r in rs)}.",
    ])
    return Section(markdown, {"put": put.per_second, "put_p99_ms": put.p99_ms, "bare_put": bare_put.per_second,
                              "submission": submit.per_second, "submission_p99_ms": submit.p99_ms,
                              "bare_submission": bare_submit.per_second, "put_ratio": put_ratio,
                              "submission_ratio": submit_ratio})
