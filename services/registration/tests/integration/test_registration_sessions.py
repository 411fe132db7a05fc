"""Sessions: a refreshed access token follows the account (structure id after the acceptance, for the referent and a
member who joined before it), refresh tokens rotate and a reused one ends the session, sign-out, expiry, and tokens
without a session refused by registration."""

from __future__ import annotations

from datetime import timedelta

import jwt

from activateurs.shared.auth import Principal

from ..conftest import accept, invite_member, submitted_structure

REFRESH, SIGN_OUT = "/api/v1/accounts/session/refresh", "/api/v1/accounts/sign-out"


def claims_of(body: dict) -> dict:
    return jwt.decode(body["access_token"], options={"verify_signature": False})


async def refresh(section, refresh_token: str):
    return await section.client.post(REFRESH, json={"refresh_token": refresh_token})


async def test_a_refreshed_token_carries_the_structure_after_the_acceptance(account_section):
    section = account_section
    registration = section.registration
    email, _, dossier_id, account_id = await submitted_structure(registration)
    referent = await section.session(email)
    member_email, _ = await invite_member(registration, referent["headers"])  # joins before the acceptance
    member = await section.session(member_email)
    assert "structure_id" not in claims_of(referent) and "structure_id" not in claims_of(member)

    structure_id = await accept(registration, section.amqp, dossier_id, account_id)

    for before in (referent, member):
        answer = await refresh(section, before["refresh_token"])
        assert answer.status_code == 200, answer.text
        assert answer.headers["Cache-Control"] == "no-store"
        after = answer.json()
        claims = claims_of(after)
        assert claims["structure_id"] == str(structure_id) and claims["roles"] == ["activator"]
        assert claims["sid"] == claims_of(before)["sid"]  # the same session goes on
        principal = Principal.from_claims(claims)  # as every other service reads it
        assert principal.structure_id == structure_id
        me = await section.client.get("/api/v1/me", headers={"Authorization": f"Bearer {after['access_token']}"})
        assert me.status_code == 200
    assert "structure_id" not in claims_of(referent)  # the token taken before was not changed, only replaced


async def test_refresh_tokens_rotate_and_a_reused_one_ends_the_session(account_section):
    section = account_section
    email = await section.registration.signup()
    first, elsewhere = await section.session(email), await section.session(email)

    second = (await refresh(section, first["refresh_token"])).json()
    third = (await refresh(section, second["refresh_token"])).json()
    assert len({first["refresh_token"], second["refresh_token"], third["refresh_token"]}) == 3
    assert third["refresh_expires_in"] == 14 * 86400 and third["expires_in"] == 900

    reused = await refresh(section, first["refresh_token"])  # a copy of an exchanged token comes back
    assert reused.status_code == 401 and "already used" in reused.json()["detail"]
    # The whole session ends: the latest refresh token and its access token too…
    assert (await refresh(section, third["refresh_token"])).status_code == 401
    headers = {"Authorization": f"Bearer {third['access_token']}"}
    assert (await section.client.get("/api/v1/me", headers=headers)).status_code == 401
    # …but not the account's other sessions.
    assert (await section.client.get("/api/v1/me", headers=elsewhere["headers"])).status_code == 200
    assert (await refresh(section, elsewhere["refresh_token"])).status_code == 200


async def test_sign_out_ends_the_session_and_only_it(account_section):
    section = account_section
    email = await section.registration.signup()
    leaving, staying = await section.session(email), await section.session(email)

    answer = await section.client.post(SIGN_OUT, json={"refresh_token": leaving["refresh_token"]})
    assert answer.status_code == 200
    assert (await refresh(section, leaving["refresh_token"])).status_code == 401
    me = await section.client.get("/api/v1/me", headers=leaving["headers"])
    assert me.status_code == 401 and "session has ended" in me.json()["detail"]
    assert (await section.client.get("/api/v1/me", headers=staying["headers"])).status_code == 200
    held = (await section.client.get("/api/v1/me/export", headers=staying["headers"])).json()["sessions"]
    assert sorted(str(s["revoked_reason"]) for s in held) == ["None", "signed_out"]  # the export shows both
    # Idempotent, and it tells nothing about a token it does not know.
    assert (await section.client.post(SIGN_OUT, json={"refresh_token": leaving["refresh_token"]})).json() \
        == (await section.client.post(SIGN_OUT, json={"refresh_token": "never-issued"})).json()
    assert (await section.client.post(SIGN_OUT, json={})).status_code == 422
    assert (await refresh(section, "never-issued")).status_code == 401
    assert (await section.client.post(REFRESH, json={"refresh_token": ""})).status_code == 422


async def test_an_unused_session_expires(account_section):
    section, clock = account_section, account_section.registration.clock
    email = await section.registration.signup()
    idle = await section.session(email)
    now = clock.now()
    clock.advance(timedelta(days=14, minutes=1))
    try:
        answer = await refresh(section, idle["refresh_token"])
    finally:
        clock.set(now)
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


async def test_registration_refuses_a_token_of_no_session(account_section):
    section = account_section
    email = await section.registration.signup()
    signed_in = await section.session(email)
    claims = {key: value for key, value in claims_of(signed_in).items() if key not in ("iss", "aud", "iat", "exp")}
    keys, now = section.registration.deps.keys, section.registration.clock.now()
    without_session = await keys.sign({key: v for key, v in claims.items() if key != "sid"}, now, 900)
    other_account = await keys.sign({**claims, "sub": "00000000-0000-4000-8000-000000000000"}, now, 900)
    for token in (without_session, other_account):
        answer = await section.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and answer.json()["detail"].startswith("invalid token")
