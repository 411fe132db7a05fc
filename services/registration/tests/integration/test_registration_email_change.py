"""Email change: the password asked, the new address proved by a single-use link read back from the real SMTP server
before it replaces the old one, the old address told, 409 for an address taken (before or meanwhile), and the
structure's contact address republished."""

from __future__ import annotations

import uuid

from ..conftest import PASSWORD, accept, query_token, submitted_structure
from .test_registration_passwords import link_in

CHANGE, CONFIRM = "/api/v1/me/email", "/api/v1/accounts/email-change/confirmation"


def new_address() -> str:
    return f"camille.{uuid.uuid4().hex[:8]}@example.fr"


async def confirmation_token(section, to: str) -> str:
    mail = await section.mail(to, "email_change_verification")
    return query_token(link_in(mail, "/email/confirmation"), "/email/confirmation")


async def test_a_new_address_replaces_the_old_once_its_link_is_used_and_the_old_is_told(account_section):
    section = account_section
    old = await section.registration.signup()
    headers = (await section.session(old))["headers"]
    new = new_address()

    wrong = await section.client.post(CHANGE, headers=headers, json={"new_email": new, "password": "not mine at all"})
    assert wrong.status_code == 403
    assert (await section.client.post(CHANGE, json={"new_email": new, "password": PASSWORD})).status_code == 401
    assert (await section.client.post(CHANGE, headers=headers,
                                      json={"new_email": "not-an-address", "password": PASSWORD})).status_code == 422
    answer = await section.client.post(CHANGE, headers=headers, json={"new_email": new.upper(), "password": PASSWORD})
    assert answer.status_code == 202, answer.text
    token = await confirmation_token(section, new)
    assert (await section.registration.login(old)).status_code == 200  # nothing changes until the link is used
    assert (await section.registration.login(new)).status_code == 401

    confirmed = await section.client.post(CONFIRM, json={"token": token})
    assert confirmed.status_code == 200 and confirmed.json()["email"] == new
    again = await section.client.post(CONFIRM, json={"token": token})
    assert again.status_code == 400 and "already used" in again.json()["detail"]
    assert (await section.client.post(CONFIRM, json={"token": "forged"})).status_code == 400

    told = await section.mail(old, "email_changed")
    assert new in told.part("text/plain")
    assert (await section.registration.login(new)).status_code == 200
    assert (await section.registration.login(old)).status_code == 401
    me = await section.client.get("/api/v1/me", headers=headers)  # the session goes on
    assert me.status_code == 200 and me.json()["email"] == new


async def test_an_address_of_another_account_gives_409_before_and_at_confirmation(account_section):
    section = account_section
    mine, theirs = await section.registration.signup(), await section.registration.signup()
    headers = (await section.session(mine))["headers"]
    taken = await section.client.post(CHANGE, headers=headers, json={"new_email": theirs, "password": PASSWORD})
    assert taken.status_code == 409 and "another account" in taken.json()["detail"]
    own = await section.client.post(CHANGE, headers=headers, json={"new_email": mine, "password": PASSWORD})
    assert own.status_code == 409

    # Free when asked, taken by a sign-up before the link is used: refused, and the account keeps its address.
    wanted = new_address()
    assert (await section.client.post(CHANGE, headers=headers,
                                      json={"new_email": wanted, "password": PASSWORD})).status_code == 202
    token = await confirmation_token(section, wanted)
    await section.registration.signup(wanted)
    late = await section.client.post(CONFIRM, json={"token": token})
    assert late.status_code == 409
    assert (await section.registration.login(mine)).status_code == 200


async def test_a_newer_request_replaces_the_earlier_link(account_section):
    section = account_section
    email = await section.registration.signup()
    headers = (await section.session(email))["headers"]
    first, second = new_address(), new_address()
    for address in (first, second):
        assert (await section.client.post(CHANGE, headers=headers,
                                          json={"new_email": address, "password": PASSWORD})).status_code == 202
    replaced = await section.client.post(CONFIRM, json={"token": await confirmation_token(section, first)})
    assert replaced.status_code == 400
    assert (await section.client.post(CONFIRM, json={"token": await confirmation_token(section, second)})).json()[
        "email"] == second


async def test_the_referent_s_new_address_receives_the_contact_requests(account_section):
    section = account_section
    registration = section.registration
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, section.amqp, dossier_id, account_id)
    new = new_address()
    assert (await section.client.post(CHANGE, headers=headers,
                                      json={"new_email": new, "password": PASSWORD})).status_code == 202
    assert (await section.client.post(CONFIRM, json={"token": await confirmation_token(section, new)})).status_code \
        == 200
    updates = [event["data"] for event in await registration.outbox("registration.profile.updated.v1")
               if event["data"]["structure_id"] == str(structure_id)]
    assert updates and updates[-1]["profile"]["routing"]["contact_emails"][0] == new
