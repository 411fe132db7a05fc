"""Fixtures of the contact-relay suites: a relay wired to this test's database, vhost, clock and token issuer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from activateurs.contact_relay.app import build_service, create_app_for
from activateurs.contact_relay.config import ContactRelaySettings
from activateurs.shared.clock import ManualClock
from activateurs.shared.contracts.directory import PublicationData, StructurePublished
from activateurs.shared.contracts.dossier import Profile
from activateurs.shared.contracts.validation import DossierAccepted, DossierAcceptedData
from activateurs.shared.service import Service
from tests.support.waiting import eventually

# Tuesday 10 March 2026, 10:00 in Paris: an ordinary working morning.
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PUBLIC = "https://activateurs.example.fr"
SECRET = "test-secret-for-acknowledgement-links"


@dataclass
class Relay:
    service: Service
    clock: ManualClock
    http: httpx.AsyncClient

    @property
    def db(self):
        return self.service.database

    async def scalar(self, statement: Any) -> Any:
        async with self.db.sessions() as session:
            return (await session.execute(statement)).scalar()

    async def rows(self, statement: Any) -> list[Any]:
        async with self.db.sessions() as session:
            return list((await session.execute(statement)).all())


StartRelay = Callable[..., Awaitable[Relay]]


@pytest.fixture
async def start_relay(databases, vhost, issuer) -> AsyncIterator[StartRelay]:
    started: list[Relay] = []
    url: dict[str, str] = {}

    async def start(*, clock: ManualClock | None = None, same_database: bool = True, **overrides: Any) -> Relay:
        if "db" not in url or not same_database:
            url["db"] = await databases.fresh("contact-relay")
        values: dict[str, Any] = {
            "database_url": url["db"], "rabbitmq_url": vhost, "public_base_url": PUBLIC,
            "ack_token_secret": SECRET, "outbox_poll_interval": 0.2, "outbox_keep_published_payloads": True, "jwks_url": issuer.jwks_url,
            "jwt_issuer": issuer.issuer, "jwt_audience": issuer.audience, "environment": "test", **overrides,
        }
        clock = clock or ManualClock(START)
        service = build_service(ContactRelaySettings(**values), clock=clock, sweep=False)
        await service.start()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app_for(service)),
                                 base_url="http://contact-relay")
        relay = Relay(service, clock, http)
        started.append(relay)
        return relay

    yield start
    for relay in started:
        await relay.http.aclose()
        await relay.service.stop()


@pytest.fixture
async def relay(start_relay: StartRelay) -> Relay:
    return await start_relay()


@pytest.fixture
async def notifier(databases, vhost, smtp, issuer) -> AsyncIterator[Service]:
    """The real notifier on the same vhost, sending to the test's SMTP server."""
    from activateurs.notifier.app import build_service as build_notifier
    from activateurs.notifier.config import NotifierSettings

    service = build_notifier(NotifierSettings(
        database_url=await databases.fresh("notifier"), rabbitmq_url=vhost, smtp_host="127.0.0.1",
        smtp_port=smtp.port, idle_poll_seconds=0.1, outbox_poll_interval=0.2, jwks_url=issuer.jwks_url,
        jwt_issuer=issuer.issuer, jwt_audience=issuer.audience, environment="test"))
    await service.start()
    yield service
    await service.stop()


def profile(*, name: str = "Numérique & Co", department: str = "75", emails: tuple[str, ...] = ("claire@numerique.fr",),
            domains: tuple[str, ...] = ("site_internet_ecommerce", "cybersecurite"), timezone: str = "Europe/Paris",
            city: str = "Paris") -> Profile:
    return Profile.model_validate({
        "name": name, "structure_type": "entreprise_services_numeriques", "category": "privee",
        "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": city},
        "department": department, "region": "11", "headcount_band": "10-19", "description": "Accompagnement",
        "domains": list(domains), "services": ["conseil"],
        "routing": {"contact_emails": list(emails), "department": department, "timezone": timezone},
    })


def accepted(structure_id: uuid.UUID, at: datetime, account_id: uuid.UUID | None = None, **kwargs: Any) -> DossierAccepted:
    return DossierAccepted.new(DossierAcceptedData(
        dossier_id=uuid.uuid4(), structure_id=structure_id, account_id=account_id or uuid.uuid4(),
        profile=profile(**kwargs), accepted_at=at, engagement_expires_at=at.replace(year=at.year + 2)),
        producer="validation", occurred_at=at)


def published(structure_id: uuid.UUID, slug: str, at: datetime) -> StructurePublished:
    return StructurePublished.new(PublicationData(structure_id=structure_id, slug=slug,
                                                  url=f"{PUBLIC}/activateurs/{slug}", at=at),
                                  producer="directory", occurred_at=at)


def request_body(slug: str, **overrides: Any) -> dict[str, Any]:
    return {"activator_slug": slug, "company_name": "Boulangerie Martin", "contact_name": "Paul Martin",
            "email": "paul.martin@boulangerie.fr", "phone": "06 12 34 56 78", "postal_code": "75011",
            "domains": ["site_internet_ecommerce"],
            "message": "Bonjour, nous souhaitons vendre nos gâteaux en ligne. Pouvez-vous nous aider ?",
            **overrides}


async def online(relay: Relay, slug: str) -> bool:
    from activateurs.contact_relay.adapters.requests import online_structure_by_slug

    async with relay.db.sessions() as session:
        return await online_structure_by_slug(session, slug) is not None


async def publish_structure(relay: Relay, amqp, *, slug: str | None = None,
                            structure_id: uuid.UUID | None = None, **kwargs: Any) -> tuple[uuid.UUID, str]:
    """A structure accepted by validation and published by the directory, as those services would say it."""
    structure_id = structure_id or uuid.uuid4()
    slug = slug or f"structure-{structure_id.hex[:8]}"
    at = relay.clock.now()
    await amqp.publish_event(accepted(structure_id, at, **kwargs))
    await amqp.publish_event(published(structure_id, slug, at))
    await eventually(lambda: online(relay, slug), what=f"{slug} online in the routing table")
    return structure_id, slug


async def outbox_events(relay: Relay) -> list[dict[str, Any]]:
    import json

    from activateurs.shared.messaging.tables import outbox

    rows = await relay.rows(sa.select(outbox.c.routing_key, outbox.c.payload).order_by(outbox.c.id))
    return [{"routing_key": r.routing_key, **json.loads(r.payload)} for r in rows]


async def emails(relay: Relay, template: str | None = None) -> list[dict[str, Any]]:
    return [e["data"] for e in await outbox_events(relay) if e["routing_key"] == "notifier.email.requested.v1"
            and (template is None or e["data"]["template"] == template)]
