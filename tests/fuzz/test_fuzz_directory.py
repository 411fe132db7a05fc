"""Schemathesis against the directory's OpenAPI, with tokens and a partner key where needed: no 5xx, as documented."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from activateurs.directory.app import create_app
from activateurs.directory.config import DirectorySettings

from .harness import is_positive, load_schema, running, token_env, validate

schema = load_schema(create_app(DirectorySettings(environment="test")))

PARTNER_FEED = "/api/v1/partner/activators"


@pytest.fixture(scope="module")
async def directory(databases, issuer, tmp_path_factory):
    async with running("directory", databases, tmp_path_factory.mktemp("directory"),
                       env={**token_env(issuer), "DIRECTORY_PARTNER_RATE_PER_MINUTE": "100000"}) as service:
        yield service


@pytest.fixture(scope="module")
async def partner_key(directory, issuer):
    """A partner key issued by a DGE admin through the API."""
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    async with httpx.AsyncClient(base_url=directory.url, timeout=30) as http:
        issued = await http.post("/api/v1/partner-keys", headers=issuer.headers("dge_admin"),
                                 json={"organisation": "Fuzz & Co", "expires_at": expires})
    assert issued.status_code == 201, issued.text
    return issued.json()["key"]


def role_headers(issuer, case, partner_key: str) -> dict[str, str]:
    path = case.operation.path
    if path == PARTNER_FEED:
        # Valid cases carry the real key to reach the feed; invalid ones keep the header as generated.
        return {"X-API-Key": partner_key} if is_positive(case) else {}
    if path.startswith("/api/v1/partner-keys"):
        return issuer.headers("dge_admin")
    if path == "/api/v1/me/statistics":
        return issuer.headers("activator", structure_id=str(uuid.uuid4()))
    return issuer.headers("dge_agent")


@schema.parametrize()
def test_fuzz_directory(case, directory, issuer, partner_key):
    validate(case, directory, role_headers(issuer, case, partner_key))
