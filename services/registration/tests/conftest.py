"""Fixtures of the registration suites: a running registration wired to this test's database, vhost and clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from activateurs.registration.adapters.tables import dossiers
from activateurs.registration.app import attach, build_service
from activateurs.registration.config import RegistrationSettings
from activateurs.registration.domain.example import example_dossier
from activateurs.registration.service.context import Deps
from activateurs.shared.clock import ManualClock
from activateurs.shared.contracts.dossier import Address, Profile, RoutingData
from activateurs.shared.contracts.validation import DossierAccepted, DossierAcceptedData
from activateurs.shared.messaging.tables import outbox
from activateurs.shared.service import Service
from tests.support.amqp import AmqpProbe
from tests.support.infra import create_vhost, delete_vhost
from tests.support.smtp import ReceivedMail, SmtpSink
from tests.support.waiting import eventually

PASSWORD = "correct horse battery staple"
FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 8192, "argon2_parallelism": 1}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"


@dataclass
class Registration:
    service: Service
    deps: Deps
    client: httpx.AsyncClient
    clock: ManualClock

    @property
    def db(self):
        return self.deps.db

    async def outbox(self, routing_key: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(outbox.c.routing_key, outbox.c.payload).order_by(outbox.c.id)
        async with self.db.sessions() as session:
            rows = (await session.execute(query)).all()
        return [json.loads(row.payload) for row in rows if routing_key is None or row.routing_key == routing_key]

    async def emails(self, template: str, to: str | None = None) -> list[dict[str, Any]]:
        return [event["data"] for event in await self.outbox("notifier.email.requested.v1")
                if event["data"]["template"] == template and (to is None or event["data"]["to"] == to)]

    async def verification_token(self, email: str) -> str:
        mails = await self.emails("account_verification", email.lower())
        assert mails, f"no verification email for {email}"
        return verification_token_of(mails[-1]["context"]["verification_url"])

    async def signup(self, email: str | None = None, *, verify: bool = True, first_name: str = "Claire") -> str:
        email = email or f"claire.{uuid.uuid4().hex[:8]}@example.fr"
        answer = await self.client.post("/api/v1/accounts", json={
            "email": email, "password": PASSWORD, "first_name": first_name, "last_name": "Durand"})
        assert answer.status_code == 202, answer.text
        if verify:
            token = await self.verification_token(email)
            assert (await self.client.post("/api/v1/accounts/verification", json={"token": token})).status_code == 200
        return email

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post("/api/v1/auth/token", data={"username": email, "password": password})

    async def headers(self, email: str | None = None) -> dict[str, str]:
        email = email or await self.signup()
        answer = await self.login(email)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    async def upload(self, headers: dict[str, str], kind: str, content: bytes = PDF,
                     filename: str = "doc.pdf") -> httpx.Response:
        return await self.client.post("/api/v1/dossier/documents", headers=headers,
                                      files={"file": (filename, content, "application/octet-stream")},
                                      data={"kind": kind})


def verification_token_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path.endswith("/verification"), url
    return parse_qs(parts.query)["token"][0]


def complete_dossier(**structure: Any) -> dict[str, Any]:
    return example_dossier(**structure)


def settings_for(database_url: str, vhost: str, **overrides: Any) -> RegistrationSettings:
    return RegistrationSettings(**{
        "database_url": database_url, "rabbitmq_url": vhost, "environment": "test",
        "jwt_issuer": "http://registration.test", "public_base_url": "https://activateurs.test.fr",
        "outbox_poll_interval": 0.2, "outbox_keep_published_payloads": True, **FAST_ARGON2, **overrides})


@pytest.fixture
async def start_registration(databases, vhost) -> AsyncIterator[Any]:
    started: list[Registration] = []

    async def start(*, database_url: str | None = None, clock: ManualClock | None = None,
                    **overrides: Any) -> Registration:
        clock = clock or ManualClock(datetime.now(UTC))
        settings = settings_for(database_url or await databases.fresh("registration"), vhost, **overrides)
        service, deps = build_service(settings, clock=clock)
        app = attach(service, deps)
        await service.start()
        # A client address per test keeps the per-address throttle of one test away from the others.
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
        client = httpx.AsyncClient(transport=transport, base_url="http://registration")
        registration = Registration(service, deps, client, clock)
        started.append(registration)
        return registration

    yield start
    for registration in started:
        await registration.client.aclose()
        await registration.service.stop()


@pytest.fixture
async def registration(start_registration) -> Registration:
    return await start_registration()




SUBMIT = {"charter_version": 1, "accept_charter": True}


def query_token(url: str, path: str) -> str:
    parts = urlsplit(url)
    assert parts.path.endswith(path), url
    return parse_qs(parts.query)["token"][0]


async def submitted_structure(registration: Registration) -> tuple[str, dict[str, str], uuid.UUID, uuid.UUID]:
    """A referent whose complete dossier is submitted: (email, headers, dossier id, account id)."""
    email = await registration.signup()
    headers = await registration.headers(email)
    assert (await registration.client.put("/api/v1/dossier", headers=headers, json=complete_dossier())).status_code \
        == 200
    assert (await registration.upload(headers, "extrait_immatriculation")).status_code == 201
    answer = await registration.client.post("/api/v1/dossier/submission", headers=headers, json=SUBMIT)
    assert answer.status_code == 202, answer.text
    me = (await registration.client.get("/api/v1/me", headers=headers)).json()
    return email, headers, uuid.UUID(answer.json()["dossier_id"]), uuid.UUID(me["id"])


def a_profile() -> Profile:
    return Profile(name="Numérique & Co", structure_type="entreprise_services_numeriques", category="privee",
                   address=Address(street="12 rue de la Roquette", postal_code="75011", city="Paris"),
                   department="75", region="11", headcount_band="10-19", description="TPE", domains=["cybersecurite"],
                   services=["conseil"], routing=RoutingData(contact_emails=["c@example.fr"], department="75"))


async def accept(registration: Registration, amqp: Any, dossier_id: uuid.UUID, account_id: uuid.UUID, *,
                 expires_in: Any = None) -> uuid.UUID:
    """validation.dossier.accepted.v1 over the broker, waited for; returns the structure id."""
    structure_id = uuid.uuid4()
    now = registration.clock.now()
    await amqp.publish_event(DossierAccepted.new(DossierAcceptedData(
        dossier_id=dossier_id, structure_id=structure_id, account_id=account_id, profile=a_profile(),
        accepted_at=now, engagement_expires_at=now + (expires_in or timedelta(days=730))),
        producer="validation", occurred_at=now + timedelta(seconds=1)))

    async def accepted() -> bool:
        async with registration.db.sessions() as session:
            status = (await session.execute(sa.select(dossiers.c.status).where(dossiers.c.id == dossier_id))).scalar()
        return status == "accepted"

    await eventually(accepted, what="dossier accepted")
    return structure_id


async def invite_member(registration: Registration, referent_headers: dict[str, str], *,
                        email: str | None = None, first_name: str = "Marc") -> tuple[str, dict[str, str]]:
    """A member invited by the referent who accepted: (email, headers)."""
    email = email or f"marc.{uuid.uuid4().hex[:8]}@example.fr"
    answer = await registration.client.post("/api/v1/structure/members", headers=referent_headers, json={
        "email": email, "first_name": first_name, "last_name": "Lefebvre"})
    assert answer.status_code == 201, answer.text
    token = await invitation_token(registration, email)
    joined = await registration.client.post("/api/v1/structure/members/invitation", json={
        "token": token, "password": PASSWORD, "charter_version": 1, "accept_charter": True})
    assert joined.status_code == 201, joined.text
    return email, await registration.headers(email)


async def invitation_token(registration: Registration, email: str) -> str:
    mails = await registration.emails("member_invitation", email.lower())
    assert mails, f"no invitation for {email}"
    return query_token(mails[-1]["context"]["invitation_url"], "/invitation")


# --- One registration with a real notifier and SMTP, shared by the account-section suites (started once) -----------


@dataclass
class AccountSection:
    """Registration and the notifier on one vhost, mails read back from the SMTP sink; each test uses its own
    addresses (and client address where it counts), so they can share it."""

    registration: Registration
    amqp: AmqpProbe
    smtp: SmtpSink

    @property
    def client(self) -> httpx.AsyncClient:
        return self.registration.client

    def client_from(self, address: str) -> httpx.AsyncClient:
        """A client seen from another address (per-address throttles)."""
        app = self.registration.client._transport.app  # type: ignore[attr-defined]
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1234)),
                                 base_url="http://registration")

    async def mail(self, to: str, template: str, count: int = 1) -> ReceivedMail:
        """The `count`-th mail of `template` received by the SMTP server for `to`."""
        def received() -> list[ReceivedMail]:
            return [m for m in self.smtp.mails if to in m.recipients and m.message["X-Activateurs-Template"] == template]
        found = await eventually(lambda: len(received()) >= count and received(), timeout=30, interval=0.05,
                                 what=f"mail {template} #{count} to {to}")
        return found[count - 1]

    async def session(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """A fresh sign-in: its tokens and the bearer headers of its access token."""
        answer = await self.registration.login(email, password)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return {**body, "headers": {"Authorization": f"Bearer {body['access_token']}"}}


@pytest.fixture(scope="session")
async def account_section(databases, issuer) -> AsyncIterator[AccountSection]:
    from activateurs.notifier.app import build_service as build_notifier
    from activateurs.notifier.config import NotifierSettings

    name, vhost = create_vhost()
    smtp = SmtpSink()
    smtp.start()
    clock = ManualClock(datetime.now(UTC))
    service, deps = build_service(settings_for(await databases.fresh("registration"), vhost), clock=clock)
    app = attach(service, deps)
    await service.start()
    notifier = build_notifier(NotifierSettings(
        database_url=await databases.fresh("notifier"), rabbitmq_url=vhost, smtp_host="127.0.0.1",
        smtp_port=smtp.port, idle_poll_seconds=0.05, outbox_poll_interval=0.1, environment="test",
        jwks_url=issuer.jwks_url, jwt_issuer=issuer.issuer))
    await notifier.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.1.1", 1234)),
                               base_url="http://registration")
    try:
        async with AmqpProbe(vhost) as amqp:
            yield AccountSection(Registration(service, deps, client, clock), amqp, smtp)
    finally:
        await client.aclose()
        await notifier.stop()
        await service.stop()
        smtp.stop()
        delete_vhost(name)
