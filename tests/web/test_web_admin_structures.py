"""The back-office's structures: the DGE finds one by name, suspends it (off the directory, the referent mailed, the
history telling why), reinstates it (back online), strikes another off for good; the errors (empty reason, unknown
id, a state changed meanwhile); a DREETS agent reads its region's only, without actions. axe-core on each page.

The module makes structures of its own (the site's seeded ones stay published for the other tests), all named
with one tag so a search by the tag finds them and nothing else.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from activateurs.web.pages.administration.structures import expiry_badge
from tests.e2e import journeys
from tests.e2e.journeys import Person
from tests.support.platform import text_of
from tests.support.waiting import eventually

from .admin_dossiers import REUNION
from .agents import PARIS_REGION, REUNION_REGION, agent, agent_page, beside
from .browser import assert_accessible, assert_accessible_and_narrow, starting
from .extranet import Visitor, csrf_of, text
from .site import Site

TAG = uuid.uuid4().hex[:6]


@dataclass
class Made:
    name: str
    structure_id: str
    slug: str
    referent: Person

    @property
    def url(self) -> str:
        return f"/administration/structures/{self.structure_id}"


@dataclass
class Structures:
    sanctioned: Made  # Paris: suspended then reinstated by the journey
    struck: Made  # Paris: struck off
    reunion: Made  # La Réunion: never sanctioned
    dge: Person  # the module's agents (registration's command line is slow: made once)
    dreets_paris: Person
    dreets_reunion: Person


@pytest.fixture(scope="module")
async def mine(site: Site) -> Structures:
    dge = await site.platform.dge_headers()

    async def made(name: str, **fields: object) -> Made:
        person = Person.unusual()
        structure_id, slug = await journeys.accepted_structure(site.platform, person, name, dge, **fields)
        return Made(name, structure_id, slug, person)

    return Structures(*await asyncio.gather(
        made(f"Atelier Sanctions {TAG}"), made(f"Conseil Radiation {TAG}"), made(f"Océan Numérique {TAG}", **REUNION),
        agent(site), agent(site, dreets_region=PARIS_REGION), agent(site, dreets_region=REUNION_REGION)))


async def in_directory(site: Site, made: Made) -> bool:
    found = await site.platform.directory.get("/api/v1/activators", params={"q": made.name})
    assert found.status_code == 200, found.text
    return any(item["structure_id"] == made.structure_id for item in found.json()["items"])


async def public_status(site: Site, made: Made) -> int:
    return (await site.web.get(f"/activateurs/{made.slug}")).status_code


async def click(page: Page, name: str) -> None:
    async with page.expect_navigation():
        await page.get_by_role("button", name=name, exact=True).click()


# --- the journey -------------------------------------------------------------------------------------------------


async def test_a_dge_agent_finds_suspends_and_reinstates_a_structure(site: Site, mine: Structures,
                                                                     browser: Browser) -> None:
    made = mine.sanctioned
    async with agent_page(browser, site, mine.dge) as page:
        await page.locator(".fr-sidemenu").get_by_role("link", name="Structures", exact=True).click()
        await page.get_by_label(starting("Nom de la structure")).fill(made.name)
        await click(page, "Rechercher")
        await expect(page.get_by_role("status")).to_have_text("1 structure pour ces critères.")
        row = page.locator("#tableau-structures tbody tr")
        await expect(row).to_have_count(1)
        await expect(row).to_contain_text("75 — Paris")
        await expect(row).to_contain_text("Active")
        await assert_accessible_and_narrow(page, "the list with a result")

        await page.get_by_role("link", name=made.name, exact=True).click()
        await expect(page).to_have_url(f"{site.url}{made.url}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(made.name)
        main = page.locator("main")
        await expect(main).to_contain_text("Île-de-France")
        await expect(main.get_by_role("link", name="Voir la fiche dans l'annuaire")).to_have_attribute(
            "href", f"/activateurs/{made.slug}")
        history = page.locator("#tableau-historique")
        await expect(history).to_contain_text("Dossier accepté")
        await expect(history).to_contain_text("Dossier complet.")
        charter = history.locator("tr", has_text=re.compile(r"Charte version \d+ acceptée"))
        await expect(charter).to_contain_text("Référent de la structure")  # registration's record, merged
        await expect(page.get_by_role("button", name="Rétablir…")).to_have_count(0)
        await assert_accessible_and_narrow(page, "a published structure")

        # No reason: the error beside the field, nothing done.
        await click(page, "Suspendre…")
        assert await public_status(site, made) == 200
        field = page.get_by_label(starting("Motif de la suspension"))
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(beside(page, "suspension_reason")).to_contain_text("Indiquez le motif")
        await assert_accessible(page, "the reason's error")

        reason = f"Plusieurs entreprises signalent des démarchages abusifs ({TAG})."
        await field.fill(reason)
        await click(page, "Suspendre…")
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Suspendre la structure : {made.name}")
        await expect(main).to_contain_text("retire dès maintenant la fiche de la structure de l'annuaire public")
        await expect(main).to_contain_text(reason)
        assert await public_status(site, made) == 200, "the confirmation step changes nothing"
        await assert_accessible_and_narrow(page, "the confirmation step")

        await click(page, "Confirmer la suspension")
        await expect(page).to_have_url(f"{site.url}{made.url}")
        await expect(page.get_by_role("status").first).to_contain_text(f"{made.name} est suspendue")
        await expect(page.locator(".fr-badges-group").first).to_contain_text("Suspendue")
        await expect(history.locator("tr", has_text="Suspension")).to_contain_text(reason)
        await expect(history.locator("tbody tr").first).to_contain_text("Suspension")  # newest first
        await expect(page.get_by_role("button", name="Suspendre…")).to_have_count(0)
        await assert_accessible_and_narrow(page, "a suspended structure")

        await eventually(lambda: _absent(site, made), timeout=30, interval=0.2, what="the suspended profile offline")
        assert await public_status(site, made) == 404
        mail = await site.platform.mail(made.referent.email, "structure_suspended")
        assert reason in text_of(mail)

        await page.get_by_label(starting("Motif du rétablissement")).fill("Les explications du référent suffisent.")
        await click(page, "Rétablir…")
        await expect(page.locator("main")).to_contain_text("republie la fiche de la structure dans l'annuaire public")
        await click(page, "Confirmer le rétablissement")
        await expect(page.get_by_role("status").first).to_contain_text(f"{made.name} est rétablie")
        await expect(page.locator(".fr-badges-group").first).to_contain_text("Active")
        await expect(history.locator("tbody tr").first).to_contain_text("Rétablissement")
        await eventually(lambda: in_directory(site, made), timeout=30, interval=0.2, what="the profile back online")
        assert await public_status(site, made) == 200


async def _absent(site: Site, made: Made) -> bool:
    return not await in_directory(site, made) and (
        await site.platform.directory.get(f"/api/v1/activators/{made.slug}")).status_code == 404


# --- strike-off --------------------------------------------------------------------------------------------------


async def test_a_strike_off_is_final(site: Site, mine: Structures, browser: Browser) -> None:
    made = mine.struck
    reason = f"Manquements graves et répétés à la charte ({TAG})."
    async with Visitor(site) as visitor:
        await visitor.sign_in(mine.dge)
        asked = await visitor.submit(made.url, f"{made.url}/radiation", {"strike_off_reason": reason})
        assert asked.status_code == 200 and "La radiation est définitive" in text(asked)
        done = await visitor.http.post(f"{made.url}/radiation", data={
            "csrf_token": csrf_of(asked.text), "strike_off_reason": reason, "confirmation": "oui"})
        assert done.status_code == 303 and done.headers["location"] == made.url
        again = await visitor.http.post(f"{made.url}/radiation", data={
            "csrf_token": csrf_of(asked.text), "strike_off_reason": reason, "confirmation": "oui"})
        assert again.status_code in (404, 409), "a struck-off structure is struck off once"

    await eventually(lambda: _absent(site, made), timeout=30, interval=0.2, what="the struck-off profile offline")
    mail = await site.platform.mail(made.referent.email, "structure_struck_off")
    assert reason in text_of(mail)

    async with agent_page(browser, site, mine.dge) as page:
        await page.goto(made.url)
        main = page.locator("main")
        await expect(main).to_contain_text("Radiée")
        await expect(main).to_contain_text("définitif")
        await expect(main).to_contain_text(reason)
        for button in ("Suspendre…", "Rétablir…", "Radier…"):
            await expect(page.get_by_role("button", name=button)).to_have_count(0)
        await assert_accessible_and_narrow(page, "a struck-off structure")

        # The referent's account is deleted, and validation erases the case with it: what stays is the audit log's.
        async def erased() -> bool:
            await page.reload()
            return await page.get_by_role("heading", level=1).inner_text() == "Structure radiée"
        await eventually(erased, timeout=30, interval=0.3, what="the struck-off structure shown from the audit log")
        await expect(main).to_contain_text(reason)
        await expect(main).to_contain_text("Radiation")
        await expect(page.get_by_role("button", name="Suspendre…")).to_have_count(0)
        await assert_accessible_and_narrow(page, "a struck-off structure, erased")


# --- errors ------------------------------------------------------------------------------------------------------


async def test_unknown_structures_are_the_404_page(site: Site, mine: Structures, browser: Browser) -> None:
    async with Visitor(site) as visitor:
        await visitor.sign_in(mine.dge)
        for path in (f"/administration/structures/{uuid.uuid4()}", "/administration/structures/pas-un-identifiant",
                     "/administration/structures/%20"):
            answer = await visitor.get(path)
            assert answer.status_code == 404 and "Page non trouvée" in text(answer), path
        token = csrf_of((await visitor.get(mine.reunion.url)).text)
        posted = await visitor.http.post(f"/administration/structures/{uuid.uuid4()}/suspension", data={
            "csrf_token": token, "suspension_reason": "Motif", "confirmation": "oui"})
        assert posted.status_code == 404
    async with agent_page(browser, site, mine.dge) as page:
        answer = await page.goto(f"/administration/structures/{uuid.uuid4()}")
        assert answer is not None and answer.status == 404
        await assert_accessible_and_narrow(page, "the 404 page")


async def test_an_action_the_state_no_longer_allows_says_so(site: Site, mine: Structures) -> None:
    made = mine.reunion  # active: it is not suspended
    async with Visitor(site) as visitor:
        await visitor.sign_in(mine.dge)
        page = await visitor.get(made.url)
        assert f'action="{made.url}/retablissement' not in page.text, "no reinstatement offered when active"
        answer = await visitor.http.post(f"{made.url}/retablissement", data={
            "csrf_token": csrf_of(page.text), "reinstatement_reason": "Rétablie.", "confirmation": "oui"})
        assert answer.status_code == 409
        shown = text(answer)
        assert "L'état de la structure a changé entre-temps : elle est maintenant « Active »" in shown
        assert "Le rétablissement n'a pas été enregistré." in shown
        assert f'action="{made.url}/suspension#' in answer.text, "the page offers what the state allows"

        too_long = await visitor.http.post(f"{made.url}/suspension", data={
            "csrf_token": csrf_of(page.text), "suspension_reason": "x" * 5001})
        assert too_long.status_code == 422 and "5000 caractères au maximum (5001 saisis)" in text(too_long)
        blank = await visitor.http.post(f"{made.url}/suspension", data={
            "csrf_token": csrf_of(page.text), "suspension_reason": "   ", "confirmation": "oui"})
        assert blank.status_code == 422 and "Indiquez le motif" in text(blank)
    assert await in_directory(site, made), "nothing was done"


# --- the list's filters --------------------------------------------------------------------------------------------


async def test_the_list_filters_and_says_when_nothing_matches(site: Site, mine: Structures,
                                                              browser: Browser) -> None:
    async with Visitor(site) as visitor:
        await visitor.sign_in(mine.dge)
        found = text(await visitor.get("/administration/structures", params={"q": TAG}))
        assert all(made.name in found for made in (mine.sanctioned, mine.reunion))
        reunion = text(await visitor.get("/administration/structures", params={"q": TAG, "region": REUNION_REGION}))
        assert mine.reunion.name in reunion and mine.sanctioned.name not in reunion
        assert "974 — La Réunion" in reunion
        for params, where, message in (
                ({"statut": "inconnu"}, "statut", "Choisissez un état de la liste."),
                ({"region": "99"}, "region", "Choisissez une région de la liste."),
                ({"q": "x" * 201}, "q", "200 caractères au maximum (201 saisis)."),
                ({"q": "a\x00b"}, "q", "caractère non autorisé")):
            answer = await visitor.get("/administration/structures", params=params)
            assert answer.status_code == 422, params
            assert f'id="{where}-error">' in answer.text and message in text(answer), params
        odd = await visitor.get("/administration/structures", params={"page": "abc", "q": TAG})
        assert odd.status_code == 200
    async with agent_page(browser, site, mine.dge) as page:
        await page.goto(f"/administration/structures?q=aucune-structure-{TAG}&statut=suspended")
        await expect(page.locator("main")).to_contain_text("Aucune structure ne correspond à ces critères")
        await assert_accessible_and_narrow(page, "the list without result")


# --- DREETS ------------------------------------------------------------------------------------------------------


async def test_a_dreets_agent_reads_its_region_only_without_actions(site: Site, mine: Structures,
                                                                    browser: Browser) -> None:
    async with Visitor(site) as visitor:
        await visitor.sign_in(mine.dreets_paris)
        listed = await visitor.get("/administration/structures", params={"q": TAG, "region": REUNION_REGION})
        shown = text(listed)
        assert listed.status_code == 200 and 'name="region"' not in listed.text, "its region is fixed"
        assert mine.sanctioned.name in shown and mine.reunion.name not in shown
        assert (await visitor.get(mine.reunion.url)).status_code == 404
        own = await visitor.get(mine.sanctioned.url)
        assert own.status_code == 200 and mine.sanctioned.name in text(own)
        assert "/suspension" not in own.text and "/radiation" not in own.text and "<textarea" not in own.text
        assert "consultation" in text(own)
    async with Visitor(site) as visitor:
        await visitor.sign_in(mine.dreets_reunion)
        shown = text(await visitor.get("/administration/structures", params={"q": TAG}))
        assert mine.reunion.name in shown and mine.sanctioned.name not in shown
    async with agent_page(browser, site, mine.dreets_paris) as page:
        await page.goto(mine.sanctioned.url)
        await expect(page.get_by_role("heading", level=1)).to_have_text(mine.sanctioned.name)
        await expect(page.locator("#tableau-historique")).to_contain_text("Dossier accepté")
        await expect(page.locator("textarea")).to_have_count(0)
        await assert_accessible_and_narrow(page, "a structure as a DREETS agent reads it")


# --- the engagement's end ----------------------------------------------------------------------------------------


def test_the_engagement_badge_shows_within_60_days_or_past() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    at = lambda days: (now + timedelta(days=days)).isoformat()  # noqa: E731
    assert expiry_badge("active", at(90), now) is None
    assert expiry_badge("active", at(30), now) == ("Échéance dans 30 jours", "warning")
    assert expiry_badge("suspended", at(1), now) == ("Échéance dans 1 jour", "warning")
    assert expiry_badge("active", at(-1), now) == ("Engagement échu", "error")
    assert expiry_badge("struck_off", at(-1), now) is None
    assert expiry_badge("active", None, now) is None
