"""Life in the programme on the site: the thread with the DGE, renewal, withdrawal, the export and the deletion."""

from __future__ import annotations

import json
from datetime import datetime

from activateurs.web.rendering import french_datetime
from tests.e2e.journeys import (
    Person,
    accepted_structure,
    case,
    dge_agent,
    dge_asks,
    open_account,
    query_token,
    registration_status,
    submit_dossier,
)

from .extranet import Visitor, csrf_of, signed_in_applicant, text
from .site import Site

THREAD = "/mon-dossier/echanges"


async def test_the_dge_asks_the_applicant_answers_from_the_site(site: Site) -> None:
    platform, person = site.platform, Person.unusual()
    await open_account(platform, person)
    dossier_id = await submit_dossier(platform, person, "Atelier Échanges Brocéliande")
    dge = await dge_agent(platform)
    await case(platform, dge, dossier_id, "to_review")
    question = "Pouvez-vous joindre l'attestation URSSAF de moins de six mois ?"
    respond_by = (await dge_asks(platform, dge, person, dossier_id, question))["respond_by"]

    async with Visitor(site) as visitor:
        await visitor.sign_in(person)
        menu = text(await visitor.get("/espace"))
        assert f'href="{THREAD}"' in menu and "Échanges avec la DGE" in menu
        page = await visitor.get(THREAD)
        assert page.status_code == 200
        shown = text(page)
        assert question in shown and "Demande d'informations de la DGE" in shown
        assert "fr-alert--warning" in shown and "fr-callout" in shown, "the request stands out"
        assert "Répondez avant le" in shown and french_datetime(respond_by) in shown, "the date the account goes"

        empty = await visitor.submit(THREAD, THREAD, {"body": "   "})
        assert empty.status_code == 422 and "Écrivez votre réponse à la DGE." in text(empty)
        assert 'aria-invalid="true"' in empty.text

        reply = "Voici l'attestation demandée, déposée ce jour ; merci."
        sent = await visitor.submit(THREAD, THREAD, {"body": reply})
        assert sent.status_code == 303 and sent.headers["location"] == THREAD
        after = text(await visitor.get(THREAD))
        assert "Votre réponse est envoyée à la DGE" in after
        assert after.index(question) < after.index(reply), "messages in their order"
        assert "Répondez avant le" not in after, "the answer stopped the clock"
        assert "Vous" in after and "DGE" in after

    seen = await case(platform, dge, dossier_id, "to_review")
    assert [m["body"] for m in seen["thread"] if m["author"] == "applicant"] == [reply]
    assert seen["respond_by"] is None


async def test_a_new_applicant_has_no_thread_yet(site: Site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_applicant(site, visitor)
        page = await visitor.get(THREAD)
        assert page.status_code == 200 and "Aucun échange pour l'instant" in text(page)
        assert f'href="{THREAD}"' not in text(await visitor.get("/espace")), "no menu entry before a submission"


async def test_the_referent_renews_the_engagement_from_the_site(site: Site) -> None:
    platform, person = site.platform, Person.unusual()
    await accepted_structure(platform, person, "Renouveau Numérique Lorient", await dge_agent(platform))
    before = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()["structure"]
    charter = (await platform.registration.get("/api/v1/charter")).json()
    async with Visitor(site) as visitor:
        await visitor.sign_in(person)
        page = text(await visitor.get("/espace/engagement"))
        assert french_datetime(before["engagement_expires_at"], False) in page
        assert f"version {charter['version']}" in page
        unticked = await visitor.submit("/espace/engagement", "/espace/engagement/renouvellement",
                                        {"charter_version": charter["version"]})
        assert unticked.status_code == 422 and "Cochez la case pour accepter la charte." in text(unticked)
        renewed = await visitor.submit("/espace/engagement", "/espace/engagement/renouvellement",
                                       {"charter_version": charter["version"], "accept": "yes"})
        assert renewed.status_code == 303, renewed.text
        after = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()["structure"]
        ends = datetime.fromisoformat(after["engagement_expires_at"])
        assert ends > datetime.fromisoformat(before["engagement_expires_at"])
        assert (ends - datetime.fromisoformat(before["engagement_expires_at"])).days >= 700
        page = text(await visitor.get("/espace/engagement"))
        assert "Votre engagement est renouvelé" in page and french_datetime(ends, False) in page


async def test_the_running_questionnaire_is_on_the_engagement_page_of_the_programme_s_members(site: Site) -> None:
    platform = site.platform
    referent = site.referents["Numérique & Co"]
    dge = await platform.dge_headers()

    async def running() -> dict | None:
        """The campaign that runs now, as validation says (the site is shared: the back-office's tests launch
        campaigns of their own)."""
        answer = await platform.validation.get("/api/v1/questionnaire-campaigns/current", headers=dge)
        return answer.json() if answer.status_code == 200 else None

    async with Visitor(site) as visitor:
        await visitor.sign_in(referent)
        before = await running()
        page = text(await visitor.get("/espace/engagement"))
        if before is None:
            assert "Questionnaire annuel" not in page, "none runs yet"
        else:
            assert f"Questionnaire annuel {before['year']}" in page
        admin = Person.unusual()
        await platform.create_dge_account(admin.email, admin.password, admin=True)
        year = datetime.now().year
        url = f"https://questionnaire.francenum.gouv.fr/activateurs-{year}"
        launched = await platform.validation.post("/api/v1/questionnaire-campaigns", json={"year": year, "url": url},
                                                  headers=await platform.login(admin.email, admin.password))
        assert launched.status_code == 201, launched.text
        now = await running()
        assert now is not None and now["year"] >= year, "the latest year's campaign runs"
        page = text(await visitor.get("/espace/engagement"))
        assert f"Questionnaire annuel {now['year']}" in page and f'href="{now["url"]}"' in page
    async with Visitor(site) as newcomer:
        await signed_in_applicant(site, newcomer)
        assert "Questionnaire annuel" not in text(await newcomer.get("/espace/engagement")), \
            "asked of the programme's members only"


async def test_the_referent_withdraws_the_structure_after_a_confirmation(site: Site) -> None:
    platform, person = site.platform, Person.unusual()
    await accepted_structure(platform, person, "Retrait Numérique Quimper", await dge_agent(platform))
    async with Visitor(site) as visitor:
        await visitor.sign_in(person)
        assert "Quitter le programme" in text(await visitor.get("/espace"))
        empty = await visitor.submit("/espace/retrait", "/espace/retrait", {"reason": ""})
        assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
        reason = "Nous arrêtons notre activité de conseil."
        confirm = await visitor.submit("/espace/retrait", "/espace/retrait", {"reason": reason})
        assert confirm.status_code == 200
        shown = text(confirm)
        assert "Ce qui va se passer" in shown and "retirée de l'annuaire" in shown and reason in shown
        assert (await platform.registration.get("/api/v1/me", headers=person.headers)).json()["structure"][
            "status"] in ("accepted", "published"), "nothing changes before the confirmation"
        done = await visitor.http.post("/espace/retrait/confirmation",
                                       data={"csrf_token": csrf_of(confirm.text), "reason": reason})
        assert done.status_code == 303 and done.headers["location"] == "/espace"
        assert "Votre structure a quitté le programme" in text(await visitor.get("/espace"))
    await registration_status(platform, person, "withdrawn")


async def test_a_member_leaves_the_structure_after_a_confirmation(site: Site) -> None:
    platform, referent = site.platform, Person.unusual()
    await accepted_structure(platform, referent, "Membres Numériques Vannes", await dge_agent(platform))
    member = Person.unusual()
    invited = await platform.registration.post("/api/v1/structure/members", headers=referent.headers, json={
        "email": member.email, "first_name": member.first_name, "last_name": member.last_name})
    assert invited.status_code == 201, invited.text
    token = query_token(site.link(await platform.mail(member.email, "member_invitation"), "/invitation"))
    charter = (await platform.registration.get("/api/v1/charter")).json()
    joined = await platform.registration.post("/api/v1/structure/members/invitation", json={
        "token": token, "password": member.password, "charter_version": charter["version"], "accept_charter": True})
    assert joined.status_code == 201, joined.text
    async with Visitor(site) as visitor:
        await visitor.sign_in(member)
        confirm = await visitor.submit("/espace/retrait", "/espace/retrait", {"reason": "Je change de métier."})
        assert confirm.status_code == 200 and "votre compte et vos données sont supprimés" in text(confirm)
        done = await visitor.http.post("/espace/retrait/confirmation",
                                       data={"csrf_token": csrf_of(confirm.text), "reason": "Je change de métier."})
        assert done.status_code == 303 and done.headers["location"] == "/retrait-confirme"
        assert visitor.session is None, "the session ends with the account"
        assert (await visitor.get("/retrait-confirme")).status_code == 200
    await platform.mail(member.email, "withdrawal_confirmed")
    gone = await platform.registration.post("/api/v1/auth/token",
                                            data={"username": member.email, "password": member.password})
    assert gone.status_code == 401


async def test_the_export_downloads_the_accounts_data_as_json(site: Site) -> None:
    async with Visitor(site) as visitor:
        person = await signed_in_applicant(site, visitor)
        answer = await visitor.get("/espace/donnees/export")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.headers["content-disposition"].startswith("attachment; filename=")
        exported = json.loads(answer.content)
        assert person.email in answer.text and person.last_name in json.dumps(exported, ensure_ascii=False)
    async with Visitor(site) as stranger:
        signed_out = await stranger.get("/espace/donnees/export")
        assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/connexion")


async def test_the_account_is_deleted_after_a_typed_confirmation(site: Site) -> None:
    async with Visitor(site) as visitor:
        person = await signed_in_applicant(site, visitor)
        assert "Supprimer mon compte" in text(await visitor.get("/espace/donnees"))
        page = await visitor.get("/espace/donnees/suppression")
        assert page.status_code == 200 and "Ce qui va se passer" in text(page)
        wrong = await visitor.submit("/espace/donnees/suppression", "/espace/donnees/suppression",
                                     {"confirmation": "oui"})
        assert wrong.status_code == 422 and "Saisissez SUPPRIMER" in text(wrong)
        assert (await visitor.get("/espace")).status_code == 200, "still there after a wrong confirmation"
        done = await visitor.submit("/espace/donnees/suppression", "/espace/donnees/suppression",
                                    {"confirmation": "SUPPRIMER"})
        assert done.status_code == 303 and done.headers["location"] == "/compte-supprime"
        assert visitor.session is None
        assert "Votre compte est supprimé" in text(await visitor.get("/compte-supprime"))
        refused = await visitor.submit("/connexion", "/connexion", {"email": person.email,
                                                                    "password": person.password})
        assert refused.status_code == 401
