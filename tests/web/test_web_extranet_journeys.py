"""The extranet in a real browser: a person signs up, fills the dossier, answers the DGE and finds the profile
online; a member is invited, joins and leaves; a referent works the inbox; a forgotten password; the renewal;
the account's deletion. Clicks and typing only: the APIs serve what the DGE does and the mails."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from activateurs.web.dossier_sections import BY_SLUG, Field
from activateurs.web.rendering import french_datetime
from tests.e2e.journeys import (
    PDF,
    Person,
    business,
    case,
    dge_agent,
    dge_asks,
    open_account,
    published_slug,
    registration_status,
)
from tests.support.waiting import eventually

from .browser import assert_accessible, sign_in, starting
from .members import own_structure
from .site import Site
from .test_web_dossier import sections

NewPage = Callable[[], Awaitable[Page]]
OTHER_ACTIVATOR = "Web Atelier Réunion"  # one of the site's seeded structures (tests/web/site.py)


@pytest.fixture
async def new_page(browser: Browser, site: Site) -> AsyncIterator[NewPage]:
    """`await new_page()`: a window of a browser of its own (its own cookies), in French, on the site."""
    contexts: list[BrowserContext] = []

    async def opened() -> Page:
        context = await browser.new_context(locale="fr-FR", base_url=site.url)
        contexts.append(context)
        return await context.new_page()
    try:
        yield opened
    finally:
        for context in contexts:
            await context.close()


def menu(page: Page, entry: str) -> Locator:
    """An entry of the space's side menu."""
    return page.locator(".fr-sidemenu").get_by_role("link", name=entry, exact=True)


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


async def greeted(page: Page, person: Person) -> None:
    await expect(heading(page)).to_have_text(f"Bonjour {person.first_name}")


async def reloaded_until(page: Page, shown: Callable[[str], bool], what: str) -> None:
    """Reloads until the page's text says `shown`: for what another service makes known a moment later."""
    async def check() -> bool:
        await page.reload()
        return shown(await page.locator("main").inner_text())
    await eventually(check, timeout=30, interval=0.3, what=what)


def option_text(item: Field, code: str) -> str | re.Pattern[str]:
    """The text a box of the group is labelled with: its French label, or « 75 — Paris » for a department."""
    return item.options(code).label if item.options else re.compile(rf"^{re.escape(code)} — ")


async def fill_section(page: Page, slug: str, values: dict[str, Any]) -> None:
    """Types a dossier section as a person does, each field found by the French label the page gives it."""
    for item in BY_SLUG[slug].fields:
        value = values.get(item.name)
        if not value:
            continue  # an optional field left empty
        if item.kind == "select":
            await page.get_by_label(starting(item.label)).select_option(value)
        elif item.kind in ("codes", "departments"):
            group = page.get_by_role("group", name=starting(item.label))
            for code in value:
                # A person clicks the label: DSFR draws the box there, over the input.
                await group.get_by_text(option_text(item, code), exact=True).click()
        elif item.kind == "flag":
            await page.get_by_text(item.label, exact=True).click()
        else:
            await page.get_by_label(starting(item.label)).fill(value)


async def save_section(page: Page, slug: str) -> None:
    await page.get_by_role("button", name=starting("Enregistrer")).click()
    await expect(page.get_by_text(f"« {BY_SLUG[slug].title} » est enregistré.")).to_be_visible()


async def sign_up_and_verify(page: Page, site: Site, person: Person) -> None:
    """Steps 1 and 2: the sign-up form, then the mail's link opened and its button clicked."""
    await page.goto("/")
    await page.get_by_role("link", name="Espace activateur").click()
    await page.get_by_role("link", name="Créer un compte").click()
    await expect(heading(page)).to_contain_text("Créer votre compte")
    await assert_accessible(page, "sign-up page")
    await page.get_by_label("Prénom", exact=True).fill(person.first_name)
    await page.get_by_label("Nom", exact=True).fill(person.last_name)
    await page.get_by_label(starting("Adresse électronique")).fill(person.email)
    await page.get_by_label(starting("Mot de passe")).fill(person.password)
    await page.get_by_label(starting("Confirmation du mot de passe")).fill(person.password)
    await page.get_by_role("button", name="Créer mon compte").click()
    await expect(heading(page)).to_contain_text("Vérifiez votre adresse électronique")

    await page.goto(site.link(await site.platform.mail(person.email, "account_verification"), "/verification"))
    await assert_accessible(page, "verification page")
    await page.get_by_role("button", name="Confirmer mon adresse").click()
    await expect(heading(page)).to_have_text("Compte vérifié")
    await page.get_by_role("link", name="Se connecter", exact=True).click()
    await expect(heading(page)).to_have_text("Se connecter à l'espace activateur")


async def fill_and_submit_dossier(page: Page, values: dict[str, dict[str, Any]]) -> None:
    """Step 3, each section through its form (the registration extract uploaded first), then step 4's charter."""
    await page.get_by_role("link", name="Commencer mon dossier").click()
    await expect(heading(page)).to_have_text("Mon dossier")
    await expect(page.get_by_text("Étape 3 sur 4")).to_be_visible()
    await page.get_by_role("link", name="Compléter « Identité de la structure »").click()
    await expect(heading(page)).to_have_text("Identité de la structure")
    await assert_accessible(page, "a dossier section")
    for slug, fields in values.items():
        if slug == "identification":  # the section is complete only with its extract
            await page.get_by_label("Nature de la pièce").select_option("extrait_immatriculation")
            await page.get_by_label(starting("Fichier")).set_input_files(
                {"name": "extrait-kbis.pdf", "mimeType": "application/pdf", "buffer": PDF})
            await page.get_by_role("button", name="Envoyer la pièce").click()
            await expect(page.get_by_role("link", name="extrait-kbis.pdf")).to_be_visible()
        await fill_section(page, slug, fields)
        await save_section(page, slug)
    await expect(page.get_by_text("Toutes les parties sont complètes")).to_be_visible()

    await page.get_by_role("link", name="Passer à l'étape 4 : la charte").click()
    await expect(page.get_by_text("Étape 4 sur 4")).to_be_visible()
    await assert_accessible(page, "charter step")
    await page.get_by_text("J'ai lu et j'accepte la charte", exact=True).click()
    await page.get_by_role("button", name="Soumettre mon dossier à la DGE").click()
    await expect(page.get_by_role("heading", name="Dossier soumis : la DGE l'instruit")).to_be_visible()


async def test_an_applicant_signs_up_fills_the_dossier_answers_the_dge_and_finds_the_profile_online(
        site: Site, new_page: NewPage) -> None:
    platform, person, page = site.platform, Person.unusual(), await new_page()
    name = f"Atelier Navigateur {person.last_name[-8:]}"
    await sign_up_and_verify(page, site, person)
    await sign_in(page, person.email, person.password)
    await greeted(page, person)
    await fill_and_submit_dossier(page, sections(name, person.email))

    # The DGE (its own back office) asks for information.
    person.headers = await platform.login(person.email, person.password)
    dossier_id = (await registration_status(platform, person, "submitted"))["structure"]["dossier_id"]
    dge = await dge_agent(platform)
    await case(platform, dge, dossier_id, "to_review")
    question = "Pouvez-vous préciser vos références clients en Seine-Saint-Denis ?"
    await dge_asks(platform, dge, person, dossier_id, question)

    await menu(page, "Mon dossier").click()
    await expect(page.get_by_role("heading", name="La DGE attend votre réponse")).to_be_visible()
    await expect(page.get_by_text(question)).to_be_visible()
    await assert_accessible(page, "dossier awaiting the applicant")
    await page.get_by_role("link", name="Répondre à la DGE").click()
    await expect(heading(page)).to_have_text("Échanges avec la DGE")
    await assert_accessible(page, "thread with the DGE")
    answer = "Garage Martin à Montreuil et Boulangerie du Fournil à Saint-Denis."
    await page.get_by_label(starting("Votre message")).fill(answer)
    await page.get_by_role("button", name="Envoyer ma réponse").click()
    await expect(page.get_by_text("Votre réponse est envoyée à la DGE")).to_be_visible()
    await expect(page.get_by_text(answer)).to_be_visible()

    # The DGE reads the answer and accepts; the directory publishes the profile.
    seen = await case(platform, dge, dossier_id, "to_review")
    assert [m["body"] for m in seen["thread"] if m["author"] == "applicant"] == [answer]
    decided = await platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                             json={"decision": "accepted", "reason": "Dossier complet."})
    assert decided.status_code == 200, decided.text
    await published_slug(platform, name)
    await registration_status(platform, person, "published")

    await menu(page, "Mon dossier").click()
    await expect(page.get_by_text("Votre fiche est en ligne dans l'annuaire.")).to_be_visible()
    await menu(page, "Ma fiche").click()
    await page.get_by_role("link", name=f"voir la fiche publique de {name}").click()
    await expect(heading(page)).to_have_text(name)
    await expect(page.get_by_text(person.first_name).first).to_be_visible()
    await assert_accessible(page, "the new public profile")


async def test_a_member_is_invited_joins_in_another_browser_then_leaves_after_a_confirmation(
        site: Site, new_page: NewPage) -> None:
    referent, name, _ = await own_structure(site)
    member = Person.unusual()
    lead = await new_page()
    await sign_in(lead, referent.email, referent.password)
    await greeted(lead, referent)
    await menu(lead, "Membres").click()
    await expect(lead.get_by_text("Vous n'avez encore invité personne")).to_be_visible()
    await lead.get_by_label("Prénom", exact=True).fill(member.first_name)
    await lead.get_by_label("Nom", exact=True).fill(member.last_name)
    await lead.get_by_label(starting("Adresse électronique")).fill(member.email)
    await lead.get_by_role("button", name="Envoyer l'invitation").click()
    await expect(lead.get_by_text(f"Invitation envoyée à {member.first_name} {member.last_name}")).to_be_visible()
    await expect(lead.get_by_role("row", name=member.email)).to_contain_text("Invitation envoyée")
    await assert_accessible(lead, "members page")

    # The invited person's own browser, from the mail's link.
    guest = await new_page()
    await guest.goto(site.link(await site.platform.mail(member.email, "member_invitation"), "/invitation"))
    await expect(guest.get_by_text("Étape 1 sur 2")).to_be_visible()
    await assert_accessible(guest, "invitation page")
    await guest.get_by_label(starting("Adresse électronique")).fill(member.email)
    await guest.get_by_label(starting("Mot de passe")).fill(member.password)
    await guest.get_by_label(starting("Confirmation du mot de passe")).fill(member.password)
    await guest.get_by_text("J'ai lu la charte et je l'accepte", exact=True).click()
    await guest.get_by_role("button", name="Créer mon compte et rejoindre la structure").click()
    await expect(heading(guest)).to_have_text("Ma carte de membre")
    await expect(guest.get_by_text(f"vous êtes membre de {name}")).to_be_visible()

    await lead.reload()
    await expect(lead.get_by_text("1 membre à ce jour")).to_be_visible()
    await expect(lead.get_by_role("row", name=member.email)).to_contain_text("Membre depuis le")

    # The member leaves: the reason, a page saying what will happen, then the button that does it.
    await menu(guest, "Quitter le programme").click()
    await guest.get_by_label(starting("Pourquoi quittez-vous le programme ?")).fill("Je change de métier.")
    await guest.get_by_role("button", name="Continuer").click()
    await expect(heading(guest)).to_have_text("Confirmez que vous quittez la structure")
    await expect(guest.get_by_text("votre compte et vos données sont supprimés", exact=False)).to_be_visible()
    await assert_accessible(guest, "withdrawal confirmation")
    await guest.get_by_role("button", name="Je quitte la structure").click()
    await expect(heading(guest)).to_have_text("Vous avez quitté la structure")
    await site.platform.mail(member.email, "withdrawal_confirmed")
    await reloaded_until(lead, lambda text: member.email not in text, "the member gone from the members page")


async def a_business_writes(site: Site, slug: str) -> dict[str, Any]:
    """A business's request through the contact relay's API (the public form has its own browser journey), sent
    once the relay knows the newly published structure."""
    request = business(slug)

    async def sent() -> bool:
        answer = await site.platform.contact_relay.post("/api/v1/contact-requests", json=request)
        assert answer.status_code in (202, 404), answer.text
        return answer.status_code == 202
    await eventually(sent, timeout=30, interval=0.3, what="the contact relay taking the request")
    return request


async def test_a_referent_acknowledges_one_request_and_redirects_another_found_by_search(
        site: Site, new_page: NewPage) -> None:
    referent, _, slug = await own_structure(site)
    first, second = await a_business_writes(site, slug), await a_business_writes(site, slug)
    page = await new_page()
    await sign_in(page, referent.email, referent.password)
    await greeted(page, referent)
    await menu(page, "Demandes de contact").click()
    await expect(page.get_by_role("status")).to_have_text("2 demandes.")
    await assert_accessible(page, "inbox")

    await page.get_by_role("link", name=first["company_name"]).click()
    await expect(heading(page)).to_have_text(f"Demande de {first['company_name']}")
    await expect(page.get_by_text(first["message"])).to_be_visible()
    await assert_accessible(page, "a request")
    await page.get_by_role("button", name="Je prends en compte cette demande").click()
    await expect(page.get_by_text(f"Demande prise en compte : {first['contact_name']}")).to_be_visible()
    await expect(page.get_by_role("heading", name="Prise en compte")).to_be_visible()
    await site.platform.mail(first["email"], "contact_acknowledged")

    await page.get_by_role("link", name="Toutes les demandes").click()
    await page.get_by_role("link", name=second["company_name"]).click()
    await page.get_by_role("link", name="Confier à un autre activateur").click()
    await page.get_by_label(starting("Nom, ville, code postal ou compétence")).fill("Réunion")
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("group", name=starting("Activateur à qui confier la demande")) \
        .get_by_text(OTHER_ACTIVATOR).click()
    await page.get_by_label(starting("Note pour l'activateur choisi")).fill("La vente en ligne : votre spécialité.")
    await assert_accessible(page, "redirection page")
    await page.get_by_role("button", name="Confirmer la réorientation").click()
    await expect(page.get_by_text(f"Demande de {second['company_name']} réorientée")).to_be_visible()

    # The filter shows each request in its new state.
    await page.get_by_label("État des demandes").select_option(label="Prise en compte")
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page.get_by_role("status")).to_have_text("1 demande dans l'état « Prise en compte ».")
    await expect(page.get_by_role("link", name=first["company_name"])).to_be_visible()
    await page.get_by_label("État des demandes").select_option(label="Réorientée")
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page.get_by_role("link", name=second["company_name"])).to_be_visible()


async def test_a_forgotten_password_is_reset_and_the_session_opened_before_is_refused(
        site: Site, new_page: NewPage) -> None:
    person = Person.unusual()
    await open_account(site.platform, person)
    before = await new_page()  # a session left open, on another computer
    await sign_in(before, person.email, person.password)
    await greeted(before, person)

    page = await new_page()
    await page.goto("/connexion")
    await page.get_by_role("link", name="Mot de passe oublié ?").click()
    await page.get_by_label(starting("Adresse électronique")).fill(person.email)
    await page.get_by_role("button", name="Recevoir un lien").click()
    await expect(page.get_by_text("un lien pour choisir un nouveau mot de passe vient d'y être envoyé")).to_be_visible()
    await page.goto(site.link(await site.platform.mail(person.email, "password_reset"), "/mot-de-passe/nouveau"))
    await expect(heading(page)).to_have_text("Choisir un nouveau mot de passe")
    await assert_accessible(page, "new password page")
    new = "un tout nouveau mot de passe du navigateur"
    await page.get_by_label(starting("Nouveau mot de passe")).fill(new)
    await page.get_by_label(starting("Confirmation du nouveau mot de passe")).fill(new)
    await page.get_by_role("button", name="Changer mon mot de passe").click()
    await expect(page.get_by_text("Votre mot de passe est changé")).to_be_visible()
    await sign_in(page, person.email, new)
    await greeted(page, person)

    await menu(before, "Mon compte").click()
    await expect(heading(before)).to_have_text("Se connecter à l'espace activateur")
    assert "/connexion?suite=" in before.url, "the old session is over: its next page asks to sign in"


async def test_the_referent_renews_the_engagement_by_ticking_the_charter(site: Site, new_page: NewPage) -> None:
    referent, _, _ = await own_structure(site)
    before = (await site.platform.registration.get("/api/v1/me", headers=referent.headers)).json()["structure"]
    page = await new_page()
    await sign_in(page, referent.email, referent.password)
    await menu(page, "Mon engagement").click()
    await expect(heading(page)).to_have_text("Mon engagement")
    await expect(page.get_by_text(f"court jusqu'au {french_datetime(before['engagement_expires_at'], False)}.")) \
        .to_be_visible()
    await assert_accessible(page, "engagement page")
    await page.get_by_text(starting("J'accepte la charte des activateurs France Num, version")).click()
    await page.get_by_role("button", name="Renouveler pour 24 mois").click()
    await expect(page.get_by_text("Votre engagement est renouvelé")).to_be_visible()

    after = (await site.platform.registration.get("/api/v1/me", headers=referent.headers)).json()["structure"]
    ends = datetime.fromisoformat(after["engagement_expires_at"])
    assert (ends - datetime.fromisoformat(before["engagement_expires_at"])).days >= 700
    await expect(page.get_by_text(f"court jusqu'au {french_datetime(ends, False)}.")).to_be_visible()


async def test_the_account_is_deleted_after_its_confirmation_and_signing_in_again_fails(
        site: Site, new_page: NewPage) -> None:
    person = Person.unusual()
    await open_account(site.platform, person)
    page = await new_page()
    await sign_in(page, person.email, person.password)
    await menu(page, "Mes données").click()
    await page.get_by_role("link", name="Supprimer mon compte").click()
    await expect(heading(page)).to_have_text("Confirmez la suppression de votre compte")
    await expect(page.get_by_text(person.email)).to_be_visible()
    confirmation = page.get_by_label(starting("Pour confirmer, saisissez SUPPRIMER"))
    await confirmation.fill("oui")  # a word other than the one asked deletes nothing
    await page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    await expect(confirmation).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#confirmation-messages")).to_have_text(
        "Saisissez SUPPRIMER pour confirmer la suppression.")
    await assert_accessible(page, "deletion confirmation with its error")
    await confirmation.fill("SUPPRIMER")
    await page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    await expect(heading(page)).to_have_text("Votre compte est supprimé")

    await sign_in(page, person.email, person.password)
    await expect(page.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe incorrect")
    await expect(heading(page)).to_have_text("Se connecter à l'espace activateur")
