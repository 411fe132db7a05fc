"""Accounts and tokens: creation (same answer for a known email), verification links, sign-in, throttling,
JWTs verified as the other services verify them (JwksVerifier), key rotation, DGE accounts by command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from datetime import timedelta

import jwt
import pydantic
import pytest
import sqlalchemy as sa
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from activateurs.registration.adapters.tables import accounts
from activateurs.registration.config import RegistrationSettings
from activateurs.shared.auth import InvalidToken, JwksVerifier
from activateurs.shared.contracts.vocabulary import Role
from tests.support.infra import ROOT
from tests.support.smtp import free_port

from ..conftest import PASSWORD, verification_token_of


def pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


async def count_accounts(registration, email: str) -> int:
    async with registration.db.sessions() as session:
        return (await session.execute(sa.select(sa.func.count()).where(accounts.c.email == email))).scalar()


async def test_signup_sends_a_48_hour_link_and_signin_waits_for_it(registration):
    email = "Claire.Durand@example.fr"
    answer = await registration.client.post("/api/v1/accounts", json={
        "email": email, "password": PASSWORD, "first_name": "Claire", "last_name": "Durand"})
    assert answer.status_code == 202
    [mail] = await registration.emails("account_verification")
    assert mail["to"] == email.lower() and mail["account_id"]
    assert mail["context"]["verification_url"].startswith("https://activateurs.test.fr/verification?token=")
    assert mail["context"]["first_name"] == "Claire"
    assert (await registration.login(email)).status_code == 401  # not verified yet

    token = verification_token_of(mail["context"]["verification_url"])
    assert (await registration.client.post("/api/v1/accounts/verification", json={"token": token})).status_code == 200
    assert (await registration.client.post("/api/v1/accounts/verification", json={"token": token})).status_code == 200
    answer = await registration.login(email)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900  # short-lived: a refresh token renews it
    assert body["refresh_token"] and body["refresh_expires_in"] == 14 * 86400
    async with registration.db.sessions() as session:
        stored = (await session.execute(sa.select(accounts.c.password_hash))).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_a_known_email_gets_the_same_answer_and_its_owner_is_told(registration):
    email = await registration.signup()
    again = await registration.client.post("/api/v1/accounts", json={
        "email": email.upper(), "password": "another password 123", "first_name": "Eve", "last_name": "Intruse"})
    assert again.status_code == 202
    assert again.json() == (await registration.client.post("/api/v1/accounts", json={
        "email": "new.person@example.fr", "password": PASSWORD, "first_name": "N", "last_name": "P"})).json()
    [notice] = await registration.emails("account_duplicate_registration")
    assert notice["to"] == email and notice["context"]["first_name"] == "Claire"
    assert len(await registration.emails("account_verification", email)) == 1
    assert await count_accounts(registration, email) == 1
    assert (await registration.login(email, "another password 123")).status_code == 401


MALFORMED_SIGNUPS = [
    {"email": "not-an-email", "password": PASSWORD, "first_name": "A", "last_name": "B"},
    {"email": "a@example.fr", "password": "short", "first_name": "A", "last_name": "B"},
    {"email": "a@example.fr", "password": PASSWORD, "first_name": "", "last_name": "B"},
    {"email": "a@example.fr", "password": 12345678901234, "first_name": "A", "last_name": "B"},
    {"email": "a@example.fr", "password": PASSWORD, "first_name": "A" * 101, "last_name": "B"},
    {"email": "a@example.fr", "password": PASSWORD},
]


async def test_malformed_signups_are_refused_and_nothing_is_written(registration):
    for body in MALFORMED_SIGNUPS:
        answer = await registration.client.post("/api/v1/accounts", json=body)
        assert answer.status_code == 422 and "detail" in answer.json(), body
    assert (await registration.client.post("/api/v1/accounts", content=b"{not json",
                                           headers={"Content-Type": "application/json"})).status_code == 422
    assert await count_accounts(registration, "a@example.fr") == 0
    assert not await registration.outbox()


async def test_verification_links_expire_after_48_hours_and_cannot_be_forged(registration):
    email = await registration.signup(verify=False)
    token = await registration.verification_token(email)
    registration.clock.advance(timedelta(hours=48, seconds=1))
    expired = await registration.client.post("/api/v1/accounts/verification", json={"token": token})
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]

    forger = ec.generate_private_key(ec.SECP256R1())
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode({**claims, "exp": claims["exp"] + 10**6}, forger, algorithm="ES256",
                        headers={"kid": jwt.get_unverified_header(token)["kid"]})
    for bad in (forged, "garbage", token[:-4] + "AAAA"):
        answer = await registration.client.post("/api/v1/accounts/verification", json={"token": bad})
        assert answer.status_code == 400, bad

    # A re-sent link works; asking for an unknown address answers the same and sends nothing.
    for address in (email, "nobody@example.fr"):
        answer = await registration.client.post("/api/v1/accounts/verification-email", json={"email": address})
        assert answer.status_code == 202
    assert len(await registration.emails("account_verification", email)) == 2
    assert not await registration.emails("account_verification", "nobody@example.fr")
    fresh = await registration.verification_token(email)
    assert (await registration.client.post("/api/v1/accounts/verification", json={"token": fresh})).status_code == 200
    assert (await registration.login(email)).status_code == 200


async def test_an_access_token_is_not_a_verification_token(registration):
    email = await registration.signup()
    access = (await registration.login(email)).json()["access_token"]
    answer = await registration.client.post("/api/v1/accounts/verification", json={"token": access})
    assert answer.status_code == 400


async def serve(app, port: int):
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            return server, task
        await asyncio.sleep(0.02)
    raise AssertionError("uvicorn did not start")


async def test_tokens_verify_with_the_shared_jwks_verifier_and_carry_the_expected_claims(registration):
    email = await registration.signup()
    token = (await registration.login(email)).json()["access_token"]
    port = free_port()
    server, task = await serve(registration.client._transport.app, port)
    try:
        verifier = JwksVerifier(f"http://127.0.0.1:{port}/.well-known/jwks.json", issuer="http://registration.test",
                                audience="activateurs")
        principal = await verifier.verify(token)
        assert principal.roles == {Role.ACTIVATOR} and principal.structure_id is None
        other_audience = JwksVerifier(f"http://127.0.0.1:{port}/.well-known/jwks.json",
                                      issuer="http://registration.test", audience="someone-else")
        with pytest.raises(InvalidToken):
            await other_audience.verify(token)
    finally:
        server.should_exit = True
        await task
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] in ("ES256", "RS256") and header["kid"]
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "roles", "sid"}  # sid: the session (additive)
    assert claims["iss"] == "http://registration.test" and claims["aud"] == "activateurs"
    assert claims["exp"] - claims["iat"] == 900 and uuid.UUID(claims["sub"])
    me = await registration.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == email and me.json()["roles"] == ["activator"]


async def test_expired_or_foreign_tokens_are_refused(registration, issuer):
    email = await registration.signup()
    token = (await registration.login(email)).json()["access_token"]
    assert (await registration.client.get("/api/v1/me", headers=issuer.headers("activator"))).status_code == 401
    registration.clock.advance(timedelta(hours=1, seconds=1))
    answer = await registration.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"


async def test_wrong_passwords_are_throttled_per_account_then_released(registration):
    email = await registration.signup()
    for _ in range(5):
        assert (await registration.login(email, "wrong password 000")).status_code == 401
    blocked = await registration.login(email)  # even the right password, while blocked
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 900
    other = await registration.signup()
    assert (await registration.login(other)).status_code == 200  # another account is not blocked
    registration.clock.advance(timedelta(seconds=int(blocked.headers["Retry-After"])))
    assert (await registration.login(email)).status_code == 200


async def test_guessing_across_accounts_is_throttled_per_client_address(start_registration):
    registration = await start_registration(login_failures_per_address=4)
    for index in range(4):
        assert (await registration.login(f"guess{index}@example.fr", "wrong password 000")).status_code == 401
    answer = await registration.login("guess9@example.fr", "wrong password 000")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0


async def test_malformed_token_requests_get_4xx(registration):
    client = registration.client
    assert (await client.post("/api/v1/auth/token", json={"username": "a", "password": "b"})).status_code == 400
    assert (await client.post("/api/v1/auth/token", data={"username": "a@example.fr"})).status_code == 401
    answer = await client.post("/api/v1/auth/token", data={"grant_type": "client_credentials", "username": "a",
                                                           "password": "b"})
    assert answer.status_code == 400
    huge = await client.post("/api/v1/auth/token", data={"username": "a", "password": "x" * 20000})
    assert huge.status_code == 413


async def test_configured_keys_rotate_old_tokens_still_verify(start_registration, databases):
    first, second = rsa.generate_private_key(public_exponent=65537, key_size=2048), ec.generate_private_key(
        ec.SECP256R1())
    database_url = await databases.fresh("registration")
    before = await start_registration(database_url=database_url, signing_keys=pem(first))
    email = await before.signup()
    old_token = (await before.login(email)).json()["access_token"]
    assert jwt.get_unverified_header(old_token)["alg"] == "RS256"

    after = await start_registration(database_url=database_url, signing_keys=pem(second) + pem(first))
    jwks = (await after.client.get("/.well-known/jwks.json")).json()
    assert [key["alg"] for key in jwks["keys"]] == ["ES256", "RS256"]
    new_token = (await after.login(email)).json()["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == jwks["keys"][0]["kid"]
    assert jwt.get_unverified_header(old_token)["kid"] == jwks["keys"][1]["kid"]
    for token in (old_token, new_token):
        assert (await after.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_a_generated_key_is_shared_by_replicas_of_one_database(start_registration, databases):
    database_url = await databases.fresh("registration")
    one = await start_registration(database_url=database_url)
    two = await start_registration(database_url=database_url)
    jwks = [(await r.client.get("/.well-known/jwks.json")).json() for r in (one, two)]
    assert jwks[0] == jwks[1] and len(jwks[0]["keys"]) == 1
    email = await one.signup()
    token = (await one.login(email)).json()["access_token"]
    assert (await two.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200


def test_production_refuses_to_start_without_signing_keys():
    values = {"environment": "production", "rabbitmq_url": "amqp://user:secret@broker:5672/"}
    with pytest.raises(pydantic.ValidationError, match="REGISTRATION_SIGNING_KEYS"):
        RegistrationSettings(**values)
    key = pem(ec.generate_private_key(ec.SECP256R1()))
    assert RegistrationSettings(**values, signing_keys=key).signing_keys == key


async def test_dge_accounts_come_from_the_command_line_only(databases, start_registration):
    database_url = await databases.fresh("registration")
    cli = str(ROOT / ".venv" / "bin" / "activateurs-registration")
    env = {**os.environ, "DATABASE_URL": database_url, "REGISTRATION_ARGON2_MEMORY_KIB": "8192"}

    def run(*args: str, password: str = "a strong admin password") -> subprocess.CompletedProcess:
        return subprocess.run([cli, "create-dge-account", *args], input=password + "\n", env=env,
                              capture_output=True, text=True, timeout=60, check=False)

    created = await asyncio.to_thread(run, "--email", "Agent.Admin@dge.example.fr", "--admin")
    assert created.returncode == 0, created.stderr
    assert "dge_admin" in created.stdout
    assert (await asyncio.to_thread(run, "--email", "agent.admin@dge.example.fr")).returncode == 1  # exists
    assert (await asyncio.to_thread(run, "--email", "x@dge.example.fr", password="short")).returncode == 2
    regional = await asyncio.to_thread(run, "--email", "dreets@example.fr", "--dreets-region", "84")
    assert regional.returncode == 0, regional.stderr

    registration = await start_registration(database_url=database_url)
    answer = await registration.login("agent.admin@dge.example.fr", "a strong admin password")
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert sorted(claims["roles"]) == ["dge_admin", "dge_agent"]
    answer = await registration.login("dreets@example.fr", "a strong admin password")
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["dreets_agent"] and claims["region"] == "84"
    # The API never creates staff: a sign-up is an activator, whatever it sends.
    await registration.client.post("/api/v1/accounts", json={
        "email": "eve@example.fr", "password": PASSWORD, "first_name": "Eve", "last_name": "X", "roles": ["dge_admin"]})
    async with registration.db.sessions() as session:
        roles = (await session.execute(sa.select(accounts.c.roles).where(accounts.c.email == "eve@example.fr"))).scalar()
    assert roles == ["activator"]


async def test_resends_and_duplicate_sign_ups_cannot_flood_a_mailbox(registration):
    email = await registration.signup(verify=False)
    for _ in range(4):
        await registration.client.post("/api/v1/accounts/verification-email", json={"email": email})
    for _ in range(3):
        answer = await registration.client.post("/api/v1/accounts", json={
            "email": email, "password": PASSWORD, "first_name": "X", "last_name": "Y"})
        assert answer.status_code == 202
    # One at sign-up, then five an hour whatever the mix of re-sends and duplicate sign-ups.
    assert len(await registration.emails("account_verification", email)) == 5
    assert len(await registration.emails("account_duplicate_registration", email)) == 1
    registration.clock.advance(timedelta(hours=1))
    await registration.client.post("/api/v1/accounts/verification-email", json={"email": email})
    assert len(await registration.emails("account_verification", email)) == 6
