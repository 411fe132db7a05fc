"""A business's journey in a real browser: search, profile, contact request, the activator's one-click acknowledgement."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.waiting import eventually

from .browser import assert_accessible


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="fr-FR")
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


async def test_a_business_finds_writes_and_is_acknowledged(site, page: Page) -> None:
    referent = site.referents["Numérique & Co"]
    tag = uuid.uuid4().hex[:6]
    email = f"marcel.petrin.{tag}@boulangerie-exemple.fr"

    await page.goto(site.url + "/activateurs")
    await page.get_by_label("Département").select_option("75")
    # A person clicks the label: DSFR draws the box there, over the input.
    await page.get_by_role("group", name="Sujets").get_by_text("Cybersécurité", exact=True).click()
    await page.get_by_role("button", name="Rechercher").click()
    assert "department=75" in page.url and "domain=cybersecurite" in page.url, "a search is a shareable GET URL"
    await assert_accessible(page, "results")
    await page.get_by_role("link", name="Numérique & Co").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Numérique & Co")
    assert "claire.durand" not in await page.content(), "the head of structure's email is never shown"
    await page.get_by_role("link", name="Écrire à cet activateur").click()

    await page.get_by_label("Nom de votre entreprise").fill(f"Boulangerie Fournil {tag}")
    await page.get_by_label("Vos prénom et nom").fill("Marcel Pétrin")
    await page.get_by_label("Adresse électronique").fill(email)
    await page.get_by_label("Code postal de l'entreprise").fill("75011")
    await page.get_by_role("group", name="Sujets de votre demande").get_by_text("Site internet",
                                                                               exact=False).click()
    await page.get_by_label("Votre message").fill("Bonjour, nous voudrions vendre nos viennoiseries en ligne.")
    await page.get_by_role("button", name="Envoyer ma demande").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Votre demande a été envoyée")

    await site.platform.mail(email, "contact_confirmation")
    forwarded = await eventually(lambda: next((mail for mail in site.platform.mails(referent.email, "contact_forwarded")
                                               if f"Boulangerie Fournil {tag}" in mail.part("text/plain")), None),
                                 timeout=60, interval=0.1, what="the forwarded mail of this request")
    link = site.link(forwarded, "/contact-requests/")
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_contain_text(f"Boulangerie Fournil {tag}")
    await assert_accessible(page, "acknowledgement landing page")
    assert not site.platform.mails(email, "contact_acknowledged"), "opening the link acknowledges nothing"
    await page.get_by_role("button", name="Je prends en compte cette demande").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Demande prise en compte")
    acknowledged = await site.platform.mail(email, "contact_acknowledged")
    assert "Numérique & Co" in acknowledged.part("text/plain")
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Déjà prise en compte")).to_be_visible()


async def test_each_invalid_field_shows_its_message_and_keeps_what_was_typed(site, page: Page) -> None:
    slug = site.slugs["Numérique & Co"]
    await page.goto(f"{site.url}/activateurs/{slug}/contact")
    typed = {"Nom de votre entreprise": "Atelier Vélo", "Numéro SIRET": "12345678901234",
             "Vos prénom et nom": "Inès Rayon", "Adresse électronique": "ines.rayon@", "Téléphone": "pas un numéro",
             "Code postal de l'entreprise": "7501", "Votre message": "Court"}
    for label, value in typed.items():
        await page.get_by_label(label, exact=False).first.fill(value)
    await page.get_by_role("button", name="Envoyer ma demande").click()
    await expect(page.get_by_role("alert")).to_contain_text("informations sont à corriger")
    expected = {"siret": "SIRET n'est pas valide", "email": "adresse électronique n'est pas valide",
                "phone": "numéro de téléphone n'est pas valide", "postal_code": "5 chiffres",
                "message": "trop court", "domains": "au moins un sujet"}
    for field, message in expected.items():
        await expect(page.locator(f"#{field}-messages")).to_contain_text(message)
    for field in ("siret", "email", "phone", "postal_code", "message"):
        await expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    for label, value in typed.items():
        await expect(page.get_by_label(label, exact=False).first).to_have_value(value)
    await assert_accessible(page, "contact form with errors")
    # Required fields left empty each say what is missing.
    await page.goto(f"{site.url}/activateurs/{slug}/contact")
    await page.get_by_role("button", name="Envoyer ma demande").click()
    for field, message in {"company_name": "nom de votre entreprise", "contact_name": "personne à contacter",
                           "email": "adresse électronique", "postal_code": "code postal",
                           "message": "Décrivez votre besoin"}.items():
        await expect(page.locator(f"#{field}-messages")).to_contain_text(message)


async def test_an_expired_or_forged_acknowledgement_link_gets_a_clear_page(site, page: Page) -> None:
    request_id = uuid.uuid4()
    answer = await page.goto(f"{site.url}/contact-requests/{request_id}/acknowledgement?token=forged")
    assert answer.status == 400
    await expect(page.get_by_role("heading", level=1)).to_contain_text("n'est pas valide")
    await assert_accessible(page, "invalid link page")
