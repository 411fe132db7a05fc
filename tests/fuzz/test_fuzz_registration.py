"""Schemathesis against registration's OpenAPI, with an activator's token it issued itself: no 5xx, as documented."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from activateurs.registration.app import create_app
from activateurs.registration.config import RegistrationSettings
from tests.support.waiting import eventually

from .harness import Running, load_schema, running, validate

schema = load_schema(create_app(RegistrationSettings(environment="test")))

PASSWORD = "fuzzing horse battery staple"
FAST_ARGON2 = {"REGISTRATION_ARGON2_TIME_COST": "1", "REGISTRATION_ARGON2_MEMORY_KIB": "8192",
               "REGISTRATION_ARGON2_PARALLELISM": "1"}


async def verification_token(database_url: str, email: str) -> str | None:
    """The token of the verification link registration asked the notifier to send to `email` (payloads kept)."""
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE routing_key = 'notifier.email.requested.v1'")
    finally:
        await conn.close()
    for row in rows:
        data = json.loads(row["payload"])["data"]
        if data["template"] == "account_verification" and data["to"] == email:
            return parse_qs(urlsplit(data["context"]["verification_url"]).query)["token"][0]
    return None


async def activator_token(service: Running) -> str:
    """A verified account signed in through the API, as a frontend would do it."""
    email = f"fuzz.{uuid.uuid4().hex[:8]}@example.fr"
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        created = await http.post("/api/v1/accounts", json={"email": email, "password": PASSWORD,
                                                            "first_name": "Claire", "last_name": "Durand"})
        assert created.status_code == 202, created.text
        token = await eventually(lambda: verification_token(service.database_url, email), what="verification email")
        assert (await http.post("/api/v1/accounts/verification", json={"token": token})).status_code == 200
        signed_in = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        return signed_in.json()["access_token"]


@pytest.fixture(scope="module")
async def registration(databases, tmp_path_factory):
    async with running("registration", databases, tmp_path_factory.mktemp("registration"),
                       env={**FAST_ARGON2, "OUTBOX_KEEP_PUBLISHED_PAYLOADS": "true"}) as service:
        yield service


@pytest.fixture(scope="module")
async def tokens(registration):
    # Deleting one's account is fuzzed with an account of its own, so the others keep working.
    return {"activator": await activator_token(registration), "deleted": await activator_token(registration)}


@schema.parametrize()
def test_fuzz_registration(case, registration, tokens):
    account = "deleted" if (case.method.upper(), case.path) == ("DELETE", "/api/v1/me") else "activator"
    validate(case, registration, {"Authorization": f"Bearer {tokens[account]}"})
