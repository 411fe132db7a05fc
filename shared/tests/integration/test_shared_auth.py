"""Token verification against a JWKS served on loopback, and the DGE-only route dependency."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from activateurs.shared.auth import DgePrincipal, InvalidToken, JwksVerifier
from activateurs.shared.contracts.vocabulary import Role


@pytest.fixture
def verifier(issuer) -> JwksVerifier:
    return JwksVerifier(issuer.jwks_url, issuer=issuer.issuer, audience=issuer.audience)


async def test_a_valid_token_gives_its_principal(issuer, verifier):
    structure_id = uuid.uuid4()
    principal = await verifier.verify(issuer.token("activator", subject="acc-1", structure_id=str(structure_id)))
    assert principal.subject == "acc-1"
    assert principal.roles == {Role.ACTIVATOR}
    assert principal.structure_id == structure_id

    agent = await verifier.verify(issuer.token("dreets_agent", region="84"))
    assert (agent.roles, agent.region, agent.structure_id) == ({Role.DREETS_AGENT}, "84", None)


def _unsigned_token(issuer) -> str:
    now = int(time.time())
    claims = {"iss": issuer.issuer, "aud": issuer.audience, "sub": "x", "iat": now, "exp": now + 300,
              "roles": ["dge_admin"]}
    return jwt.encode(claims, None, algorithm="none", headers={"kid": issuer.kid})


BAD_TOKENS = {
    "expired": lambda issuer: issuer.token("dge_agent", ttl=-3600),
    "wrong audience": lambda issuer: issuer.token("dge_agent", aud="another-audience"),
    "wrong issuer": lambda issuer: issuer.token("dge_agent", iss="https://evil.example"),
    "another key, same kid": lambda issuer: issuer.token(
        "dge_agent", key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    "alg none": _unsigned_token,
    "garbage": lambda issuer: "not-a-jwt",
    "garbage with dots": lambda issuer: "aaa.bbb.ccc",
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
async def test_bad_tokens_are_invalid(issuer, verifier, kind):
    with pytest.raises(InvalidToken):
        await verifier.verify(BAD_TOKENS[kind](issuer))


@pytest.fixture
async def client(verifier):
    app = FastAPI()
    app.state.verifier = verifier

    @app.get("/dge-only")
    async def dge_only(principal: DgePrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_route_without_token_answers_401(client):
    response = await client.get("/dge-only")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_route_with_a_bad_token_answers_401(client, issuer):
    expired = issuer.token("dge_agent", ttl=-3600)
    response = await client.get("/dge-only", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


async def test_route_for_dge_answers_403_to_an_activator(client, issuer):
    response = await client.get("/dge-only", headers=issuer.headers("activator", structure_id=str(uuid.uuid4())))
    assert response.status_code == 403


async def test_route_for_dge_answers_200_to_a_dge_agent(client, issuer):
    response = await client.get("/dge-only", headers=issuer.headers("dge_agent", subject="agent-7"))
    assert response.status_code == 200
    assert response.json() == {"subject": "agent-7"}
