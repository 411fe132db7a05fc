"""Fixtures of the validation suites: a running validation service on this test's database and vhost, a moved clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from activateurs.shared.clock import ManualClock
from activateurs.shared.contracts.registration import DossierSubmitted, DossierSubmittedData
from activateurs.shared.service import Service
from activateurs.validation.app import build_service
from activateurs.validation.config import ValidationSettings

START = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)

SNAPSHOT: dict[str, Any] = {
    "structure": {
        "name": "Numérique & Co", "structure_type": "entreprise_services_numeriques", "category": "privee",
        "siret": "73282932000074", "no_siret_reason": None, "created_on": "2015-03-01",
        "experience_declaration": None,
        "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
        "headcount_band": "10-19", "website": "https://numerique-et-co.fr",
        "social_links": ["https://www.linkedin.com/company/numerique-et-co"],
        "description": "Accompagnement des TPE vers le numérique", "pricing": "Diagnostic offert",
        "domains": ["cybersecurite", "site_internet_ecommerce"], "services": ["conseil", "formation"],
        "intervention_area": {"departments": ["75", "92", "93"], "national": False},
        "client_references": ["Boulangerie Martin (site e-commerce)"], "networks": [], "certifications": [],
    },
    "management": {"head_first_name": "Claire", "head_last_name": "Durand",
                   "head_email": "claire.durand@numerique-et-co.fr", "registration_number": "73282932000074"},
    "declarations": {"obligations_up_to_date": True, "heads_agreement": True, "website_legal_compliance": True},
    "referent_card": {"phone": "+33 1 23 45 67 89", "presentation": "Référente", "references": ["Mairie"],
                      "photo_document_id": None},
}


def document(kind: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "kind": kind, "sha256": uuid.uuid4().hex * 2}


def submitted(*, dossier_id: uuid.UUID | None = None, account_id: uuid.UUID | None = None, revision: int = 1,
              structure: dict[str, Any] | None = None, declarations: dict[str, Any] | None = None,
              documents: list[dict[str, Any]] | None = None, postal_code: str = "75011",
              submitted_at: datetime = START, email: str = "claire@numerique-et-co.fr") -> DossierSubmitted:
    """A `registration.dossier.submitted.v1` as registration would publish it (the CONTRACTS.md example)."""
    account_id = account_id or uuid.uuid4()
    snapshot = {**SNAPSHOT, "structure": {**SNAPSHOT["structure"], **(structure or {}),
                                          "address": {**SNAPSHOT["structure"]["address"], "postal_code": postal_code}},
                "declarations": {**SNAPSHOT["declarations"], **(declarations or {})}}
    data = DossierSubmittedData.model_validate({
        "dossier_id": str(dossier_id or uuid.uuid4()), "revision": revision, "account_id": str(account_id),
        "structure": snapshot,
        "members": [{"account_id": str(account_id), "email": email, "first_name": "Claire", "last_name": "Durand",
                     "is_referent": True, "charter_version_accepted": 1}],
        "documents": documents if documents is not None else [
            document("extrait_immatriculation"), document("attestation_urssaf"), document("attestation_fiscale")],
        "charter_version": 1, "submitted_at": submitted_at.isoformat(),
    })
    return DossierSubmitted.new(data, producer="registration", occurred_at=submitted_at)


@dataclass
class Running:
    service: Service
    clock: ManualClock
    http: httpx.AsyncClient

    @property
    def db(self):  # noqa: ANN201
        return self.service.database

    def wake_sweeper(self) -> None:
        self.service.sweeper.wake()  # type: ignore[attr-defined]


StartValidation = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_validation(databases, vhost, issuer) -> AsyncIterator[StartValidation]:
    started: list[Running] = []

    async def start(database_url: str | None = None, clock: ManualClock | None = None, **overrides: Any) -> Running:
        values: dict[str, Any] = {
            "database_url": database_url or await databases.fresh("validation"),
            "rabbitmq_url": vhost,
            "outbox_poll_interval": 0.1, "outbox_keep_published_payloads": True,
            "deadline_poll_seconds": 0.2,
            "jwks_url": issuer.jwks_url,
            "jwt_issuer": issuer.issuer,
            "jwt_audience": issuer.audience,
            "environment": "test",
            "public_base_url": "https://activateurs.example.fr",
            "website_check": False,
            **overrides,
        }
        clock = clock or ManualClock(START)
        service = build_service(ValidationSettings(**values), clock=clock)
        await service.start()
        app = service.create_app()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://validation")
        running = Running(service, clock, http)
        started.append(running)
        return running

    yield start
    for running in started:
        await running.http.aclose()
        await running.service.stop()


@pytest.fixture
async def validation(start_validation: StartValidation) -> Running:
    return await start_validation()


def today() -> date:
    return START.date()
