"""Fixtures of the directory suites: a running directory wired to this test's database and vhost, event builders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from activateurs.directory.app import build_service
from activateurs.directory.config import DirectorySettings
from activateurs.shared.clock import Clock
from activateurs.shared.contracts.dossier import Profile
from activateurs.shared.contracts.validation import DossierAccepted, DossierAcceptedData
from activateurs.shared.service import Service

StartDirectory = Callable[..., Awaitable[Service]]

# Never public: these values are planted in every test profile and must not appear in any public answer.
SECRET_EMAIL = "routage.secret@exemple-prive.fr"
SECRET_TIMEZONE = "Pacific/Noumea"


@pytest.fixture
async def start_directory(databases, vhost, issuer) -> AsyncIterator[StartDirectory]:
    started: list[Service] = []

    async def start(clock: Clock | None = None, **overrides: Any) -> Service:
        values: dict[str, Any] = {
            "database_url": await databases.fresh("directory"),
            "rabbitmq_url": vhost,
            "outbox_poll_interval": 0.2,
            "counters_flush_seconds": 0.2,
            "read_pool_size": 4,
            "public_base_url": "https://activateurs.example.fr",
            "jwks_url": issuer.jwks_url,
            "jwt_issuer": issuer.issuer,
            "jwt_audience": issuer.audience,
            "environment": "test",
            **overrides,
        }
        service = build_service(DirectorySettings(**values), clock=clock)
        await service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        await service.stop()


@pytest.fixture
async def directory(start_directory: StartDirectory) -> Service:
    return await start_directory()


@pytest.fixture
async def client(directory: Service) -> AsyncIterator[httpx.AsyncClient]:
    app = directory.create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://directory") as http:
        yield http


def make_profile(name: str = "Numérique & Co", *, postal_code: str = "75011", city: str = "Paris",
                 department: str = "75", region: str = "11", description: str = "Accompagnement des TPE.",
                 domains: tuple[str, ...] = ("site_internet_ecommerce",), services: tuple[str, ...] = ("conseil",),
                 structure_type: str = "entreprise_services_numeriques", area: tuple[str, ...] = (),
                 national: bool = False, members: list[dict[str, Any]] | None = None) -> Profile:
    return Profile.model_validate({
        "name": name, "structure_type": structure_type, "category": "privee",
        "address": {"street": "12 rue de la Roquette", "postal_code": postal_code, "city": city},
        "department": department, "region": region,
        "intervention_area": {"departments": list(area), "national": national},
        "headcount_band": "10-19", "website": "https://exemple.fr", "social_links": [],
        "description": description, "pricing": "Diagnostic offert", "domains": list(domains),
        "services": list(services), "client_references": ["Boulangerie Martin"], "networks": [],
        "certifications": [], "members": members or [],
        "routing": {"contact_emails": [SECRET_EMAIL], "department": department, "timezone": SECRET_TIMEZONE},
    })


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def accepted(structure_id: uuid.UUID, profile: Profile, when: datetime = T0,
             account_id: uuid.UUID | None = None) -> DossierAccepted:
    return DossierAccepted.new(
        DossierAcceptedData(dossier_id=uuid.uuid4(), structure_id=structure_id, account_id=account_id or uuid.uuid4(),
                            profile=profile, accepted_at=when, engagement_expires_at=when + timedelta(days=730)),
        producer="validation", occurred_at=when)
