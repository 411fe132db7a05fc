"""PostgreSQL restarted (fast) under a steady HTTP flow to every service: never a 500, 503s say when, writes once."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
import httpx

from tests.support.flows_faults import ACK_LINK, Flow, Stack, _plain, business_email
from tests.support.waiting import eventually

SERVICES = ("registration", "validation", "directory", "contact-relay", "notifier")
STRUCTURES = 4
PACE = 0.03  # seconds between two requests of one client: a steady flow, not a flood
BEFORE, AFTER = 1.5, 5.0  # seconds of flow before the restart begins and after it ends
PASSWORD = "a long enough password for the faults test"
VERIFICATION_TOKEN = re.compile(r"/verification\?token=([^\s<>\"'&]+)")


@dataclass
class Answer:
    client: str
    status: int | None  # None: no HTTP answer at all (connection reset, timeout)
    retry_after: str | None = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Recorder:
    answers: list[Answer] = field(default_factory=list)
    signed_up: dict[str, int] = field(default_factory=dict)  # email -> status
    contacted: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # business email -> (status, id)

    async def call(self, client: str, request: Awaitable[httpx.Response]) -> httpx.Response | None:
        try:
            response = await request
        except httpx.TransportError as error:
            self.answers.append(Answer(client, None, error=f"{type(error).__name__}: {error}"))
            return None
        self.answers.append(Answer(client, response.status_code, response.headers.get("retry-after"),
                                   response.text[:300] if response.status_code >= 500 else None))
        return response


async def _verified_account(stack: Stack, http: httpx.AsyncClient, email: str) -> dict[str, str]:
    """Sign-up, the verification link from the mail, a token: an account whose sign-in and reads succeed."""
    answer = await http.post("/api/v1/accounts", json={"email": email, "password": PASSWORD,
                                                       "first_name": "Camille", "last_name": "Martin"})
    assert answer.status_code == 202, answer.text
    mail = await eventually(lambda: next((m for m in stack.smtp.mails if email in m.recipients), None),
                            timeout=60, interval=0.1, what=f"verification mail to {email}")
    token = VERIFICATION_TOKEN.search(mail.part("text/plain")).group(1)
    assert (await http.post("/api/v1/accounts/verification", json={"token": token})).status_code == 200
    signed_in = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


async def _rows(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(_plain(url))
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def test_postgres_fast_restart_under_http_flow_gives_no_500_and_every_accepted_write_once(
        stack, probe, private_postgres, issuer):
    await stack.start(*SERVICES)
    flow = Flow(stack, STRUCTURES)
    await flow.publish_accepted(range(STRUCTURES), probe)
    await flow.wait_routable(STRUCTURES)
    slugs = list((await flow.slugs()).values())
    urls = {service: stack.first(service).url for service in SERVICES}
    clients = {service: httpx.AsyncClient(base_url=url, timeout=30) for service, url in urls.items()}
    run = flow.token
    person = await _verified_account(stack, clients["registration"], f"referent.{run}@exemple.fr")
    agent = issuer.headers("dge_agent")
    record = Recorder()
    stop = asyncio.Event()
    counter = iter(range(1_000_000))

    async def sign_up() -> None:
        email = f"inscription.{run}.{next(counter)}@exemple.fr"
        response = await record.call("registration sign-up", clients["registration"].post("/api/v1/accounts", json={
            "email": email, "password": PASSWORD, "first_name": "Dominique", "last_name": "Bernard"}))
        if response is not None:
            record.signed_up[email] = response.status_code

    async def contact() -> None:
        business = next(counter)
        body = {"activator_slug": slugs[business % len(slugs)], "company_name": f"Entreprise {business}",
                "contact_name": f"Dirigeant {business}", "email": business_email(business), "postal_code": "75011",
                "domains": ["site_internet_ecommerce"], "message": f"Bonjour, un accompagnement ({run} {business})."}
        if business % 10 == 0:  # bad input keeps its usual answer, outage or not
            response = await record.call("contact-relay bad input", clients["contact-relay"].post(
                "/api/v1/contact-requests", json={**body, "postal_code": "ABCDE"}))
            return
        response = await record.call("contact-relay submit", clients["contact-relay"].post(
            "/api/v1/contact-requests", json=body))
        if response is not None:
            record.contacted[business_email(business)] = (
                response.status_code, response.json()["id"] if response.status_code == 202 else None)

    flows: dict[str, Callable[[], Awaitable[object]]] = {
        "registration sign-up": sign_up,
        "registration sign-in": lambda: record.call("registration sign-in", clients["registration"].post(
            "/api/v1/auth/token", data={"username": f"referent.{run}@exemple.fr", "password": PASSWORD})),
        "registration read": lambda: record.call("registration read", clients["registration"].get(
            "/api/v1/me", headers=person)),
        "validation read": lambda: record.call("validation read", clients["validation"].get(
            "/api/v1/dossiers", headers=agent)),
        "directory search": lambda: record.call("directory search", clients["directory"].get(
            "/api/v1/activators", params={"q": run})),
        "directory profile": lambda: record.call("directory profile", clients["directory"].get(
            f"/api/v1/activators/{slugs[0]}")),
        "contact-relay submit": contact,
    }

    async def steady(step: Callable[[], Awaitable[object]]) -> None:
        while not stop.is_set():
            await step()
            await asyncio.sleep(PACE)

    loops = [asyncio.create_task(steady(step)) for step in flows.values()]
    try:
        await asyncio.sleep(BEFORE)
        down_from = time.monotonic()
        await asyncio.to_thread(private_postgres.stop, "fast")
        try:
            await asyncio.sleep(1.0)
        finally:
            await asyncio.to_thread(private_postgres.start)
        up_at = time.monotonic()
        await asyncio.sleep(AFTER)
    finally:
        stop.set()
        await asyncio.gather(*loops)
        for client in clients.values():
            await client.aclose()

    by_client: dict[str, Counter[str]] = defaultdict(Counter)
    for answer in record.answers:
        kind = "none" if answer.status is None else "503" if answer.status == 503 else f"{answer.status // 100}xx"
        by_client[answer.client][kind] += 1
    totals = Counter(kind for counts in by_client.values() for kind, n in counts.items() for _ in range(n))
    during = Counter(a.status for a in record.answers if down_from <= a.at <= up_at + 1)
    print(f"postgres restart: {len(record.answers)} answers {dict(totals)}; around the outage {dict(during)}; "
          f"per client {({c: dict(k) for c, k in by_client.items()})}")  # shown with -s

    broken = [a for a in record.answers if a.status is None or (a.status >= 500 and a.status != 503)]
    assert not broken, f"{len(broken)} answers neither 2xx, 4xx nor 503: {broken[:5]}"
    assert all(a.retry_after for a in record.answers if a.status == 503), "a 503 without Retry-After"
    unexpected_4xx = [a for a in record.answers if a.status and 400 <= a.status < 500
                      and a.client != "contact-relay bad input"]
    assert not unexpected_4xx, f"4xx answers to valid requests: {unexpected_4xx[:5]}"
    assert {a.status for a in record.answers if a.client == "contact-relay bad input"} == {422}
    assert during.total() > 0, "no request was answered around the outage"
    for client in flows:  # every flow works again once the database is back (pools, loops, consumers)
        last = [a for a in record.answers if a.client == client][-3:]
        assert all(a.status is not None and 200 <= a.status < 300 for a in last), f"{client} after: {last}"

    # Each accepted write took effect once: one account and one mail per 202'd sign-up; one stored request,
    # one confirmation and one forward per 202'd contact request. A 503 may or may not have committed: at most once.
    accounts = Counter(row["email"] for row in await _rows(
        stack.databases["registration"], "SELECT email FROM accounts WHERE email = ANY($1::text[])",
        list(record.signed_up)))
    accepted_sign_ups = [email for email, status in record.signed_up.items() if status == 202]
    assert accepted_sign_ups and all(accounts[email] == 1 for email in accepted_sign_ups)
    assert all(n == 1 for n in accounts.values())

    accepted = {email: request_id for email, (status, request_id) in record.contacted.items() if status == 202}
    assert accepted
    stored = Counter(row["email"] for row in await _rows(
        stack.databases["contact-relay"], "SELECT email FROM contact_requests WHERE email = ANY($1::text[])",
        list(record.contacted)))
    assert all(stored[email] == 1 for email in accepted), "an accepted contact request not stored exactly once"
    assert all(n == 1 for n in stored.values())

    def mails_to(address: str) -> list:
        return [mail for mail in stack.smtp.mails if address in mail.recipients]

    def forwards_of(request_id: str) -> int:
        return sum(1 for mail in stack.smtp.mails
                   if (link := ACK_LINK.search(mail.part("text/plain"))) and link.group(1) == request_id)

    await eventually(lambda: all(mails_to(email) for email in accepted_sign_ups)
                     and all(mails_to(email) for email in accepted), timeout=45, interval=0.5,
                     what=f"{len(accepted_sign_ups)} verification and {len(accepted)} confirmation mails")
    await asyncio.sleep(2)  # a late double, if any, would arrive now
    assert all(len(mails_to(email)) == 1 for email in accepted_sign_ups), "a sign-up mailed twice"
    assert all(len(mails_to(email)) <= 1 for email in record.signed_up)
    assert all(len(mails_to(email)) == 1 for email in accepted), "a business confirmed twice"
    assert all(forwards_of(request_id) == 1 for request_id in accepted.values()), "a request forwarded twice"
    assert len({uuid.UUID(request_id) for request_id in accepted.values()}) == len(accepted)
