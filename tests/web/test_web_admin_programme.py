"""The programme's government by a DGE admin, in Chromium: a charter version published after its confirmation (the
activators mailed), a questionnaire campaign launched (and its year refused a second time), a partner key created,
shown once, used on the directory's partner API, then revoked. A plain DGE agent is refused every page. axe-core on
each page, error state, confirmation and the key's page; no horizontal scrolling at 320 px."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.waiting import eventually

from .agents import FORBIDDEN, agent, agent_page, beside, signed_in_agent
from .browser import assert_accessible_and_narrow, starting
from .extranet import Visitor, csrf_of, text
from .site import STRUCTURES, Site

CHARTER, QUESTIONNAIRE, KEYS = ("/administration/programme/charte", "/administration/programme/questionnaire",
                                "/administration/programme/cles-partenaires")


@pytest.fixture(scope="module")
async def admin_page(browser: Browser, site: Site) -> AsyncIterator[Page]:
    """A DGE admin of the module's own, signed in once, in a browser window at desktop width."""
    async with agent_page(browser, site, await agent(site, admin=True)) as page:
        await expect(page.get_by_role("heading", level=1)).to_have_text("Administration du réseau")
        yield page


def paris_today() -> date:
    return datetime.now(ZoneInfo("Europe/Paris")).date()


async def test_an_admin_publishes_a_charter_version_after_its_confirmation(site: Site, admin_page: Page) -> None:
    page = admin_page
    platform = site.platform
    before = (await platform.registration.get("/api/v1/charter")).json()
    referent = site.referents[next(iter(STRUCTURES))]
    mails_before = len(platform.mails(referent.email, "charter_to_accept"))
    await page.goto(CHARTER)
    await expect(page.get_by_role("heading", name=f"Version {before['version']} en vigueur")).to_be_visible()
    text_field = page.get_by_label(starting("Texte de la nouvelle version"))
    assert (await text_field.input_value()) == before["text"].strip(), "prefilled with the text in force"
    await assert_accessible_and_narrow(page, "charter page")

    await text_field.fill("")
    await page.get_by_label(starting("Date limite d'acceptation")).fill(
        (paris_today() - timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="Continuer").click()
    await expect(beside(page, "text")).to_have_text("Saisissez le texte de la nouvelle version de la charte.")
    await expect(beside(page, "deadline")).to_contain_text("Choisissez une date à venir")
    await expect(text_field).to_have_attribute("aria-invalid", "true")
    await assert_accessible_and_narrow(page, "charter page with its errors")

    tag = uuid.uuid4().hex[:8]
    new_text = (f"Charte des activateurs France Num, édition {tag}.\n\nL'activateur accompagne les TPE et PME "
                "avec loyauté.\n\nIl prend en compte chaque demande sous 48 heures ouvrées.")
    deadline = paris_today() + timedelta(days=45)
    await text_field.fill(new_text)
    await page.get_by_label(starting("Date limite d'acceptation")).fill(deadline.isoformat())
    await page.get_by_role("button", name="Continuer").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Publier une nouvelle version de la charte")
    await expect(page.get_by_text("chaque activateur des structures du programme")).to_be_visible()
    await expect(page.get_by_text(f"édition {tag}.")).to_be_visible()
    await assert_accessible_and_narrow(page, "charter publication's confirmation")
    assert (await platform.registration.get("/api/v1/charter")).json()["version"] == before["version"], \
        "nothing is published before the confirmation"

    await page.get_by_role("button", name="Publier la nouvelle version").click()
    notice = page.get_by_role("status")
    await expect(notice).to_contain_text("publiée : chaque activateur du programme est invité par courriel")
    version = int((await notice.inner_text()).split("Version ", 1)[1].split(" ", 1)[0])
    assert version > before["version"]

    async def current() -> dict | None:
        found = (await platform.registration.get("/api/v1/charter")).json()
        return found if found["version"] == version else None
    charter = await eventually(current, timeout=30, interval=0.2, what=f"charter version {version} in registration")
    assert charter["text"] == new_text
    ends = datetime.fromisoformat(charter["acceptance_deadline"]).astimezone(ZoneInfo("Europe/Paris"))
    assert (ends.date(), ends.hour, ends.minute) == (deadline, 23, 59), "the end of the chosen day, Paris time"
    mail = await platform.mail(referent.email, "charter_to_accept", count=mails_before + 1)
    assert str(version) in mail.part("text/plain")


async def test_an_admin_launches_the_year_s_questionnaire_once(site: Site, admin_page: Page) -> None:
    page = admin_page
    year = random.randint(2031, 2099)  # far from the years other tests launch
    url = f"https://questionnaire.francenum.gouv.fr/activateurs-{year}-{uuid.uuid4().hex[:6]}"
    await page.goto(QUESTIONNAIRE)
    year_field, url_field = page.get_by_label(starting("Année")), page.get_by_label(starting("Adresse du"))
    assert await year_field.input_value() == str(paris_today().year), "this year by default"
    await assert_accessible_and_narrow(page, "questionnaire page")

    await year_field.fill("20x1")
    await url_field.fill(url.replace("https://", "http://"))
    await page.get_by_role("button", name="Continuer").click()
    await expect(beside(page, "year")).to_contain_text("Indiquez une année entre 2022 et 2100")
    await expect(beside(page, "url")).to_contain_text("commençant par https://")
    await assert_accessible_and_narrow(page, "questionnaire page with its errors")

    async def launch() -> None:
        await year_field.fill(str(year))
        await url_field.fill(url)
        await page.get_by_role("button", name="Continuer").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Lancer le questionnaire annuel {year}")
    await launch()
    await assert_accessible_and_narrow(page, "questionnaire's confirmation")
    await page.get_by_role("button", name=f"Lancer la campagne {year}").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Questionnaire {year} lancé")

    # The campaign running is the latest year's launched within a year: this one, unless a later year was.
    admin_headers = await site.platform.dge_headers()
    running = (await site.platform.validation.get("/api/v1/questionnaire-campaigns/current",
                                                  headers=admin_headers)).json()
    assert running["year"] >= year
    if running["year"] == year:
        assert running["url"] == url
    await expect(page.get_by_role("heading", name=f"Campagne {running['year']} en cours")).to_be_visible()

    await launch()
    await page.get_by_role("button", name=f"Lancer la campagne {year}").click()
    await expect(beside(page, "year")).to_contain_text(f"La campagne {year} a déjà été lancée")
    await expect(year_field).to_have_attribute("aria-invalid", "true")
    await assert_accessible_and_narrow(page, "questionnaire launched twice")


async def test_a_partner_key_is_shown_once_works_and_is_revoked(site: Site, admin_page: Page) -> None:
    page = admin_page
    directory = site.platform.directory
    organisation = f"CCI Bretagne {uuid.uuid4().hex[:6]}"
    await page.goto(KEYS)
    await assert_accessible_and_narrow(page, "partner keys page")

    await page.get_by_label(starting("Organisation")).fill("")
    await page.get_by_label(starting("Valable jusqu'au")).fill(paris_today().isoformat())
    await page.get_by_role("button", name="Créer la clé").click()
    await expect(beside(page, "organisation")).to_contain_text("Indiquez l'organisation")
    await expect(beside(page, "expires")).to_contain_text("Choisissez une date à venir")
    await assert_accessible_and_narrow(page, "partner keys page with its errors")

    await page.get_by_label(starting("Organisation")).fill(organisation)
    await page.get_by_label(starting("Valable jusqu'au")).fill((paris_today() + timedelta(days=90)).isoformat())
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Créer la clé").click()
    answer = await navigation.value
    assert answer.status == 200 and answer.request.method == "POST", "the key is the POST's own answer"
    assert "no-store" in (await answer.all_headers())["cache-control"]
    await expect(page.get_by_role("heading", name="Copiez cette clé maintenant : elle ne sera plus affichée")) \
        .to_be_visible()
    key = await page.get_by_label(starting("Clé d'API de")).input_value()
    assert len(key) >= 20 and key not in page.url
    await assert_accessible_and_narrow(page, "the key shown once")
    cookies = await page.context.cookies()
    assert not any(key in cookie["value"] for cookie in cookies)

    feed = await directory.get("/api/v1/partner/activators", headers={"X-API-Key": key})
    assert feed.status_code == 200, feed.text
    assert key not in site.log_text()

    await page.get_by_role("link", name="Revenir aux clés des partenaires").click()
    row = page.locator("tr", has=page.get_by_role("rowheader", name=organisation))
    await expect(row.locator(".fr-badge")).to_have_text("Active")
    assert key not in await page.content(), "never shown again"
    await row.get_by_role("button", name="Révoquer").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Révoquer la clé de {organisation}")
    await assert_accessible_and_narrow(page, "revocation's confirmation")
    assert (await directory.get("/api/v1/partner/activators", headers={"X-API-Key": key})).status_code == 200
    await page.get_by_role("button", name="Révoquer la clé").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Clé de {organisation} révoquée")
    await expect(row.locator(".fr-badge")).to_contain_text("Révoquée le")
    await expect(row.get_by_role("button", name="Révoquer")).to_have_count(0)
    await assert_accessible_and_narrow(page, "partner keys with a revoked one")

    refused = await directory.get("/api/v1/partner/activators", headers={"X-API-Key": key})
    assert refused.status_code in (401, 403), refused.text


async def test_a_dge_agent_who_is_no_admin_gets_403_on_every_programme_page(site: Site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_agent(site, visitor)
        token = csrf_of((await visitor.get("/administration")).text)
        for path in (CHARTER, QUESTIONNAIRE, KEYS):
            answer = await visitor.get(path)
            assert answer.status_code == 403 and FORBIDDEN in text(answer), path
        for path in (CHARTER, QUESTIONNAIRE, KEYS, f"{KEYS}/{uuid.uuid4()}/revocation"):
            answer = await visitor.http.post(path, data={"csrf_token": token, "confirmation": "oui", "text": "x",
                                                         "deadline": "2099-01-01", "year": "2099",
                                                         "url": "https://exemple.fr", "organisation": "x",
                                                         "expires": "2099-01-01"})
            assert answer.status_code == 403 and FORBIDDEN in text(answer), path
