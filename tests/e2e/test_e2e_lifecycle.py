"""A structure's life after acceptance across the real processes: sanctions, withdrawal, deletion, engagement lapse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.journeys import Person, accepted_structure, business, dge_agent, offline, registration_status
from tests.support.waiting import eventually


async def _online(platform, slug: str) -> None:
    async def back() -> bool:
        return (await platform.directory.get(f"/api/v1/activators/{slug}")).status_code == 200
    await eventually(back, timeout=60, interval=0.2, what=f"profile {slug} back online")


async def _contact_answer(platform, slug: str) -> int:
    return (await platform.contact_relay.post("/api/v1/contact-requests", json=business(slug))).status_code


async def _refuses_contacts(platform, slug: str) -> None:
    async def refused() -> bool:
        return await _contact_answer(platform, slug) == 404
    await eventually(refused, timeout=60, interval=0.3, what=f"contact requests to {slug} refused")


async def test_suspension_then_reinstatement_then_withdrawal(platform):
    dge = await dge_agent(platform)
    person = Person.unusual()
    structure_id, slug = await accepted_structure(platform, person, "Conseil Numérique Vauquelin", dge)
    assert await _contact_answer(platform, slug) == 202
    assert await _status_in(platform, person, IN_PROGRAMME)

    # Suspended: offline in the directory, no contact routed, registration shows it, the referent is told.
    suspended = await platform.validation.post(f"/api/v1/structures/{structure_id}/suspension", headers=dge,
                                               json={"reason": "Plaintes répétées d'entreprises."})
    assert suspended.status_code == 200, suspended.text
    await offline(platform, slug)
    await _refuses_contacts(platform, slug)
    await registration_status(platform, person, "suspended")
    await platform.mail(person.email, "structure_suspended")
    search = (await platform.directory.get("/api/v1/activators", params={"q": "Vauquelin"})).json()
    assert all(item["slug"] != slug for item in search["items"])

    # Reinstated: back online, contacts routed again, the previous status back, the referent told.
    reinstated = await platform.validation.request("DELETE", f"/api/v1/structures/{structure_id}/suspension",
                                                   headers=dge, json={"reason": "Plaintes traitées."})
    assert reinstated.status_code == 200, reinstated.text
    await _online(platform, slug)
    await eventually(lambda: _accepts_contacts(platform, slug), timeout=60, interval=0.3,
                     what="contact requests accepted again")
    await eventually(lambda: _status_in(platform, person, IN_PROGRAMME), timeout=60, interval=0.2,
                     what="registration back to the status before the suspension")
    await platform.mail(person.email, "structure_reinstated")

    # Withdrawal of the structure by its referent: offline at once, confirmed by mail.
    withdrawn = await platform.registration.post("/api/v1/withdrawal", headers=person.headers,
                                                 json={"reason": "Cessation d'activité.", "scope": "structure"})
    assert withdrawn.status_code == 202, withdrawn.text
    await offline(platform, slug)
    await _refuses_contacts(platform, slug)
    await registration_status(platform, person, "withdrawn")
    await platform.mail(person.email, "withdrawal_confirmed")


IN_PROGRAMME = ("accepted", "published")


async def _status_in(platform, person, statuses: tuple[str, ...]) -> bool:
    me = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()
    return me["structure"]["status"] in statuses


async def _accepts_contacts(platform, slug: str) -> bool:
    return await _contact_answer(platform, slug) == 202


async def test_account_deletion_reaches_every_service(platform):
    dge = await dge_agent(platform)
    person = Person.unusual()
    structure_id, slug = await accepted_structure(platform, person, "Atelier Web Margerie", dge)
    me = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()
    dossier_id = me["structure"]["dossier_id"]
    assert (await platform.validation.get(f"/api/v1/dossiers/{dossier_id}", headers=dge)).status_code == 200

    deleted = await platform.registration.delete("/api/v1/me", headers=person.headers)
    assert deleted.status_code == 202, deleted.text

    # registration: the account is gone, its token and password no longer open anything.
    assert (await platform.registration.get("/api/v1/me", headers=person.headers)).status_code == 401
    login = await platform.registration.post("/api/v1/auth/token",
                                             data={"username": person.email, "password": person.password})
    assert login.status_code == 401
    # directory and contact-relay: offline, nothing routed to it.
    await offline(platform, slug)
    await _refuses_contacts(platform, slug)

    # validation: the case about the person is erased.
    async def case_erased() -> bool:
        answer = await platform.validation.get(f"/api/v1/dossiers/{dossier_id}", headers=dge)
        return answer.status_code == 404
    await eventually(case_erased, timeout=60, interval=0.3, what="the validation case erased")

    # notifier: the goodbye mail is sent, then no mail to the person is left in the outgoing log.
    await platform.mail(person.email, "account_deleted")

    left: list[str] = []

    async def mail_log_erased() -> bool:
        answer = await platform.notifier.get("/api/v1/deliveries", headers=dge, params={"recipient": person.email})
        assert answer.status_code == 200, answer.text
        left[:] = [f"{item['template']} ({item['status']})" for item in answer.json()["items"]]
        return not left
    try:
        await eventually(mail_log_erased, timeout=60, interval=0.3, what="the person's mails erased by the notifier")
    except AssertionError:
        raise AssertionError(f"the notifier still logs these mails to the deleted person: {left}") from None


async def test_engagement_lapse_cancels_the_structure_and_deletes_the_account(platform):
    """No renewal by the end of the 24 months: cancelled, `engagement_lapsed` mailed, account deleted, offline.

    Registration is restarted with its clock moved just past the engagement's end (CLOCK_OFFSET_SECONDS);
    the other services keep the real time. Last of the module: registration stays in the future after it.
    """
    dge = await dge_agent(platform)
    person = Person.unusual()
    structure_id, slug = await accepted_structure(platform, person, "Studio Digital Ombredanne", dge)
    me = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()
    expires_at = datetime.fromisoformat(me["structure"]["engagement_expires_at"])
    now = datetime.now(UTC)
    assert timedelta(days=700) < expires_at - now < timedelta(days=750), "24 months from acceptance"

    offset = (expires_at - now + timedelta(hours=1)).total_seconds()
    await platform.restart("registration", CLOCK_OFFSET_SECONDS=str(offset), REGISTRATION_DEADLINE_SWEEP_SECONDS="0.5")

    await platform.mail(person.email, "engagement_lapsed", timeout=90)
    await offline(platform, slug)
    await _refuses_contacts(platform, slug)

    async def account_gone() -> bool:
        answer = await platform.registration.post("/api/v1/auth/token",
                                                  data={"username": person.email, "password": person.password})
        return answer.status_code == 401
    await eventually(account_gone, timeout=60, interval=0.3, what="the lapsed referent's account deleted")
