"""Schemathesis against contact-relay's OpenAPI, each operation with a role that may call it: no 5xx, as documented."""

from __future__ import annotations

import uuid

import pytest

from activateurs.contact_relay.app import create_app
from activateurs.contact_relay.config import ContactRelaySettings

from .harness import load_schema, running, token_env, validate

schema = load_schema(create_app(ContactRelaySettings(environment="test")))


@pytest.fixture(scope="module")
async def contact_relay(databases, issuer, tmp_path_factory):
    # The anti-abuse limits would answer 429 to the fuzzer after a few requests: lifted, so handlers are reached.
    async with running("contact-relay", databases, tmp_path_factory.mktemp("contact-relay"), env={
            **token_env(issuer), "CONTACT_RELAY_ACK_TOKEN_SECRET": "fuzz-secret-for-acknowledgement-links",
            "CONTACT_RELAY_RATE_LIMIT_PER_ADDRESS": "1000000",
            "CONTACT_RELAY_RATE_LIMIT_PER_EMAIL": "1000000"}) as service:
        yield service


def role_headers(issuer, path: str) -> dict[str, str]:
    if path.startswith("/api/v1/contact-requests") or path.startswith("/api/v1/me/"):
        return issuer.headers("activator", structure_id=str(uuid.uuid4()))
    return issuer.headers("dge_agent")


@schema.parametrize()
def test_fuzz_contact_relay(case, contact_relay, issuer):
    validate(case, contact_relay, role_headers(issuer, case.operation.path))
