"""Forgotten password and password change: the single-use, one-hour link read back from the real SMTP server, every
refusal (used, expired, forged), the same answer for an unknown address, throttling, and the sessions ended."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.registration.adapters.tables import accounts
from activateurs.registration.service.credentials import RESET_AUDIENCE

from ..conftest import PASSWORD, query_token

NEW_PASSWORD = "a brand new passphrase 2026"


def link_in(mail, path: str) -> str:
    found = re.search(r"https://activateurs\.test\.fr" + re.escape(path) + r"\?token=[A-Za-z0-9_.-]+",
                      mail.part("text/plain"))
    assert found, mail.part("text/plain")
    return found.group(0)


async def reset_token(section, email: str, count: int = 1) -> str:
    mail = await section.mail(email, "password_reset", count)
    return query_token(link_in(mail, "/mot-de-passe/nouveau"), "/mot-de-passe/nouveau")


async def confirm(section, token: str, password: str = NEW_PASSWORD):
    return await section.client.post("/api/v1/accounts/password-reset/confirmation",
                                     json={"token": token, "password": password})


async def test_a_reset_link_is_mailed_works_once_and_ends_every_session(account_section):
    section = account_section
    email = await section.registration.signup()
    laptop, phone = await section.session(email), await section.session(email)

    answer = await section.client.post("/api/v1/accounts/password-reset", json={"email": email.upper()})
    assert answer.status_code == 202
    token = await reset_token(section, email)
    assert "valable 1 h" in (await section.mail(email, "password_reset")).part("text/plain")

    assert (await confirm(section, token)).status_code == 200
    again = await confirm(section, token, "yet another passphrase 99")
    assert again.status_code == 400 and "already used" in again.json()["detail"]

    for old in (laptop, phone):  # every earlier session: its access token and its refresh token
        assert (await section.client.get("/api/v1/me", headers=old["headers"])).status_code == 401
        refreshed = await section.client.post("/api/v1/accounts/session/refresh",
                                              json={"refresh_token": old["refresh_token"]})
        assert refreshed.status_code == 401
    assert (await section.registration.login(email)).status_code == 401
    assert (await section.registration.login(email, NEW_PASSWORD)).status_code == 200
    told = await section.mail(email, "password_changed")
    assert "/mot-de-passe-oublie" in told.part("text/plain")


async def test_an_expired_or_forged_reset_link_is_refused(account_section):
    section, clock = account_section, account_section.registration.clock
    email = await section.registration.signup()
    assert (await section.client.post("/api/v1/accounts/password-reset", json={"email": email})).status_code == 202
    token = await reset_token(section, email)
    now = clock.now()
    clock.advance(timedelta(minutes=61))
    try:
        expired = await confirm(section, token)
    finally:
        clock.set(now)
    assert expired.status_code == 400 and expired.json()["detail"].endswith("token expired")

    keys = section.registration.deps.keys
    [mail] = await section.registration.emails("account_verification", email)
    account_id = mail["account_id"]
    forged = {
        "not a token": "not-a-token",
        "a verification link": query_token(mail["context"]["verification_url"], "/verification"),
        "signed here but no link behind it": await keys.sign({"sub": account_id, "jti": str(uuid.uuid4())},
                                                             clock.now(), 3600, audience=RESET_AUDIENCE),
        "tampered": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
    }
    for what, bad in forged.items():
        answer = await confirm(section, bad)
        assert answer.status_code == 400, what
        assert answer.json()["detail"].startswith("invalid or expired password reset link"), what
    assert (await section.registration.login(email)).status_code == 200  # the password did not change

    # The password rules of sign-up: the link still works after a refused weak password.
    assert (await confirm(section, token, "short")).status_code == 422
    assert (await confirm(section, token)).status_code == 200


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(account_section):
    section = account_section
    known = await section.registration.signup()
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@example.fr"
    answers = [await section.client.post("/api/v1/accounts/password-reset", json={"email": address})
               for address in (known, unknown)]
    assert [a.status_code for a in answers] == [202, 202] and answers[0].json() == answers[1].json()
    await section.mail(known, "password_reset")  # the known one's mail has gone through the notifier…
    assert await section.registration.emails("password_reset", unknown) == []  # …the unknown one was never asked
    assert not [m for m in section.smtp.mails if unknown in m.recipients]
    assert (await section.client.post("/api/v1/accounts/password-reset", json={"email": "nope"})).status_code == 422


async def test_reset_requests_are_throttled_per_mailbox_and_per_client(account_section):
    section = account_section
    email = await section.registration.signup()
    async with section.client_from("10.0.9.1") as client:
        for _ in range(7):
            assert (await client.post("/api/v1/accounts/password-reset", json={"email": email})).status_code == 202
    # At most five unsolicited mails an hour reach one mailbox (the verification re-sends' limit).
    assert len(await section.registration.emails("password_reset", email)) == 5

    async with section.client_from("10.0.9.2") as client:
        answers = [await client.post("/api/v1/accounts/password-reset",
                                     json={"email": f"guess.{n}@example.fr"}) for n in range(21)]
    assert [a.status_code for a in answers[:20]] == [202] * 20
    assert answers[20].status_code == 429 and int(answers[20].headers["Retry-After"]) > 0


async def test_a_password_change_needs_the_current_one_and_signs_out_the_other_sessions(account_section):
    section = account_section
    email = await section.registration.signup()
    current, other = await section.session(email), await section.session(email)
    change = "/api/v1/me/password"

    wrong = await section.client.post(change, headers=current["headers"],
                                      json={"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 403 and "incorrect" in wrong.json()["detail"]
    weak = await section.client.post(change, headers=current["headers"],
                                     json={"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422
    assert (await section.client.post(change, json={"current_password": PASSWORD,
                                                    "new_password": NEW_PASSWORD})).status_code == 401
    answer = await section.client.post(change, headers=current["headers"],
                                       json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert answer.status_code == 200, answer.text

    # The session that made the change stays signed in; the other one is signed out.
    assert (await section.client.get("/api/v1/me", headers=current["headers"])).status_code == 200
    assert (await section.client.post("/api/v1/accounts/session/refresh",
                                      json={"refresh_token": current["refresh_token"]})).status_code == 200
    assert (await section.client.get("/api/v1/me", headers=other["headers"])).status_code == 401
    assert (await section.client.post("/api/v1/accounts/session/refresh",
                                      json={"refresh_token": other["refresh_token"]})).status_code == 401
    assert (await section.registration.login(email)).status_code == 401
    assert (await section.registration.login(email, NEW_PASSWORD)).status_code == 200
    await section.mail(email, "password_changed")


async def test_wrong_current_passwords_are_throttled_like_sign_ins(account_section):
    section = account_section
    email = await section.registration.signup()
    headers = (await section.session(email))["headers"]
    for _ in range(5):
        answer = await section.client.post("/api/v1/me/password", headers=headers, json={
            "current_password": "guess guess guess", "new_password": NEW_PASSWORD})
        assert answer.status_code == 403
    blocked = await section.client.post("/api/v1/me/password", headers=headers, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    async with section.registration.db.sessions() as session:
        stored = (await session.execute(sa.select(accounts.c.password_hash).where(accounts.c.email == email))).scalar()
    assert await section.registration.deps.passwords.verify(stored, PASSWORD)  # unchanged
