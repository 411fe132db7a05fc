"""Schemathesis against validation's OpenAPI, each operation with a role allowed to call it: no 5xx, as documented.

Seeded first with submitted dossiers (one accepted, so a structure exists) and a document store serving their
files, so that valid cases often name things that exist and reach the handlers behind the 404.
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from activateurs.shared.contracts.registration import DossierSubmitted, DossierSubmittedData
from activateurs.validation.app import create_app
from activateurs.validation.config import ValidationSettings
from tests.support.amqp import AmqpProbe
from tests.support.waiting import eventually

from .harness import FileServer, load_schema, running, token_env, use_known_ids, validate

schema = load_schema(create_app(ValidationSettings(environment="test")))

ADMIN_PATHS = ("/api/v1/charter-versions", "/api/v1/questionnaire-campaigns")
READER_PATHS = ("/api/v1/dossiers", "/api/v1/dossiers/{dossier_id}",
                "/api/v1/dossiers/{dossier_id}/documents/{document_id}", "/api/v1/statistics")
PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"
# Fixed ids, so a run is the same as the last one.
ACCOUNTS = [uuid.UUID(int=0xACC0 + n) for n in range(3)]
DOSSIERS = [uuid.UUID(int=0xD055 + n) for n in range(3)]
DOCUMENTS = [uuid.UUID(int=0xD0C0 + n) for n in range(3)]


def submitted(n: int) -> DossierSubmitted:
    """Dossier `n` as registration would send it, its three documents served by the document store."""
    at = datetime(2026, 4, 2, 8, n, tzinfo=UTC)
    data = DossierSubmittedData.model_validate({
        "dossier_id": str(DOSSIERS[n]), "revision": 1, "account_id": str(ACCOUNTS[n]), "charter_version": 1,
        "submitted_at": at.isoformat(),
        "structure": {
            "structure": {
                "name": f"Numérique & Co {n}", "structure_type": "entreprise_services_numeriques",
                "category": "privee", "siret": "73282932000074", "no_siret_reason": None,
                "created_on": "2015-03-01", "experience_declaration": None,
                "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
                "headcount_band": "10-19", "website": "https://numerique-et-co.fr", "social_links": [],
                "description": "Accompagnement des TPE vers le numérique", "pricing": "Diagnostic offert",
                "domains": ["cybersecurite"], "services": ["conseil"],
                "intervention_area": {"departments": ["75"], "national": False},
                "client_references": ["Boulangerie Martin"], "networks": [], "certifications": []},
            "management": {"head_first_name": "Claire", "head_last_name": "Durand",
                           "head_email": "claire.durand@numerique-et-co.fr",
                           "registration_number": "73282932000074"},
            "declarations": {"obligations_up_to_date": True, "heads_agreement": True,
                             "website_legal_compliance": True},
            "referent_card": {"phone": "+33 1 23 45 67 89", "presentation": "Référente", "references": [],
                              "photo_document_id": None}},
        "members": [{"account_id": str(ACCOUNTS[n]), "email": f"claire.{n}@numerique-et-co.fr",
                     "first_name": "Claire", "last_name": "Durand", "is_referent": True,
                     "charter_version_accepted": 1}],
        "documents": [{"id": str(DOCUMENTS[n]), "kind": kind, "sha256": hashlib.sha256(PDF).hexdigest()}
                      for kind in ("extrait_immatriculation",)],
    })
    return DossierSubmitted.new(data, producer="registration", occurred_at=at)


@pytest.fixture(scope="module")
def document_store() -> Iterator[FileServer]:
    with FileServer(PDF, "application/pdf") as server:
        yield server


@pytest.fixture(scope="module")
async def validation(databases, issuer, document_store, tmp_path_factory):
    async with running("validation", databases, tmp_path_factory.mktemp("validation"), env={
            **token_env(issuer),
            "VALIDATION_DOCUMENT_URL": document_store.url + "/documents/{document_id}"}) as service:
        yield service


@pytest.fixture(scope="module")
async def known(validation, issuer) -> dict[str, list[str]]:
    """Dossiers submitted over the broker, the first one accepted: ids that exist, by path parameter."""
    async with AmqpProbe(validation.vhost) as amqp:
        for n in range(len(DOSSIERS)):
            await amqp.publish_event(submitted(n))
    async with httpx.AsyncClient(base_url=validation.url, headers=issuer.headers("dge_agent"), timeout=30) as http:
        async def all_received() -> bool:
            return (await http.get("/api/v1/dossiers")).json()["total"] == len(DOSSIERS)

        await eventually(all_received, timeout=60, what="the seeded dossiers")
        accepted = await http.post(f"/api/v1/dossiers/{DOSSIERS[0]}/decision", json={"decision": "accepted"})
        assert accepted.status_code == 200, accepted.text
    return {"dossier_id": [str(d) for d in DOSSIERS], "document_id": [str(d) for d in DOCUMENTS],
            "structure_id": [accepted.json()["structure_id"]]}


def role_headers(issuer, case) -> dict[str, str]:
    path = case.operation.path
    if path in ADMIN_PATHS:
        return issuer.headers("dge_admin")
    if path.startswith("/api/v1/my-dossier"):
        return issuer.headers("activator", subject=str(ACCOUNTS[1]))
    if case.method.upper() == "GET" and path in READER_PATHS and stable_choice(case):
        # Reads are open to a regional directorate too (its own region: the seeded dossiers are in Paris, 11).
        return issuer.headers("dreets_agent", region="11")
    return issuer.headers("dge_agent")


def stable_choice(case) -> bool:
    """Half the cases, the same ones on every run (Python's own hash() changes from run to run)."""
    return zlib.crc32(repr((case.path_parameters, case.query)).encode()) % 2 == 0


@schema.parametrize()
def test_fuzz_validation(case, validation, issuer, known):
    use_known_ids(case, known)
    validate(case, validation, role_headers(issuer, case))
