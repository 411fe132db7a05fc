"""The back-office's reports with real services: a structure of the test's own receives two contact requests and
acknowledges one; the SLA report (page and CSV) counts them, the statistics page shows the APIs' figures, the audit
page its chain intact and the structure's acceptance. A DREETS agent of another region does not see the structure
and is refused the audit page. axe-core on each page and error state, in Chromium; no horizontal scrolling at
320 px."""

from __future__ import annotations

import csv
import html
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.journeys import Person, accepted_structure, business, dge_agent
from tests.support.waiting import eventually

from .agents import FORBIDDEN, PARIS_REGION, REUNION_REGION, agent, agent_page, beside, signed_in_agent
from .browser import assert_accessible_and_narrow, starting
from .extranet import Visitor, text
from .site import Site

SLA, STATISTICS, AUDIT = ("/administration/rapports/delais-de-reponse", "/administration/rapports/statistiques",
                          "/administration/rapports/journal-d-audit")


@dataclass
class Structure:
    name: str
    structure_id: str
    dossier_id: str


@pytest.fixture(scope="module")
async def structure(site: Site) -> Structure:
    """A structure of this module's own (in Paris), with two contact requests today, one acknowledged in time."""
    platform, person = site.platform, Person.unusual()
    name = f"Délais Numérique {uuid.uuid4().hex[:6]}"
    dge = await dge_agent(platform)
    structure_id, slug = await accepted_structure(platform, person, name, dge)

    async def sent() -> str | None:
        answer = await platform.contact_relay.post("/api/v1/contact-requests", json=business(slug))
        return answer.json()["id"] if answer.status_code == 202 else None  # 404 until the relay knows the profile
    first = await eventually(sent, timeout=30, interval=0.2, what="a contact request accepted by the relay")
    assert await sent(), "the second request"
    acknowledged = await platform.contact_relay.post(f"/api/v1/contact-requests/{first}/acknowledgement",
                                                     headers=person.headers)
    assert acknowledged.status_code == 200, acknowledged.text
    found = (await platform.validation.get(f"/api/v1/structures/{structure_id}", headers=dge))
    assert found.status_code == 200, found.text
    return Structure(name, structure_id, found.json()["dossier_id"])


@pytest.fixture(scope="module")
async def dge_page(browser: Browser, site: Site) -> AsyncIterator[Page]:
    """A DGE agent of the module's own, signed in once, in a browser window at desktop width."""
    async with agent_page(browser, site, await agent(site)) as page:
        await expect(page.get_by_role("heading", level=1)).to_have_text("Administration du réseau")
        yield page


def today() -> str:
    return datetime.now(UTC).date().isoformat()  # the reports count days in UTC


async def row(page: Page, name: str) -> list[str]:
    """The SLA table's line of the structure `name`: its cells' texts."""
    line = page.locator("#tableau-delais tr", has=page.get_by_role("link", name=name, exact=True))
    return [text.strip() for text in await line.locator("th, td").all_inner_texts()]


async def test_the_sla_report_counts_the_structure_s_requests_on_the_page_and_in_the_csv(
        site: Site, dge_page: Page, structure: Structure) -> None:
    page = dge_page
    await page.goto(SLA)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Délais de réponse aux demandes de contact")
    default_start = (datetime.now(UTC).date() - timedelta(days=29)).isoformat()
    assert await page.get_by_label(starting("Du")).input_value() == default_start, "the last 30 days by default"
    await assert_accessible_and_narrow(page, "SLA report")

    await page.get_by_label(starting("Du")).fill(today())
    await page.get_by_label(starting("Au")).fill(today())
    await page.get_by_role("button", name="Afficher").click()
    # Structure, region, received, in time, late, overdue, redirected, median hours.
    line = await row(page, structure.name)
    assert line[:7] == [structure.name, "Île-de-France", "2", "1", "0", "0", "0"], line
    assert line[7] != "—" and "." not in line[7], "a median in hours, French decimal comma"
    link = page.get_by_role("link", name=structure.name, exact=True)
    assert await link.get_attribute("href") == f"/administration/structures/{structure.structure_id}"
    totals = [t.strip() for t in await page.locator("#tableau-delais tr").last.locator("th, td").all_inner_texts()]
    assert totals[0].startswith("Total") and int(totals[2]) >= 2

    csv_link = page.get_by_role("link", name="Télécharger en CSV")
    href = await csv_link.get_attribute("href")
    assert href == f"{SLA}.csv?du={today()}&au={today()}"
    answer = await page.context.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == \
        f'attachment; filename="delais-de-reponse-{today()}-{today()}.csv"'
    body = await answer.body()
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    mine = [r for r in table if r["Identifiant de la structure"] == structure.structure_id]
    assert len(mine) == 1, table
    assert (mine[0]["Structure"], mine[0]["Région"], mine[0]["Demandes reçues"],
            mine[0]["Prises en compte dans les délais"], mine[0]["Prises en compte en retard"],
            mine[0]["Délai dépassé"]) == (structure.name, "Île-de-France", "2", "1", "0", "0")
    assert mine[0]["Délai médian de prise en compte (heures)"] == line[7].replace("\u202f", "")

    await page.get_by_label(starting("Du")).fill(today())
    await page.get_by_label(starting("Au")).fill((datetime.now(UTC).date() - timedelta(days=3)).isoformat())
    await page.get_by_role("button", name="Afficher").click()
    await expect(beside(page, "du")).to_have_text("La date de début doit précéder la date de fin.")
    await expect(page.get_by_label(starting("Du"))).to_have_attribute("aria-invalid", "true")
    await assert_accessible_and_narrow(page, "SLA report, period in the wrong order")

    # The same agent's session, without the browser's date fields (which send only valid dates).
    malformed = await page.context.request.get(SLA + "?du=2026-13-45&au=hier")
    assert malformed.status == 422
    assert html.unescape(await malformed.text()).count("Cette date n'est pas valide") >= 2, "beside each field"
    csv_refused = await page.context.request.get(f"{SLA}.csv?du={today()}&au=2020-01-01")
    assert csv_refused.status == 422 and "précéder la date de fin" in html.unescape(await csv_refused.text())


async def test_a_dreets_agent_sees_its_region_s_structures_only_and_not_the_audit_log(
        site: Site, structure: Structure) -> None:
    period = {"du": today(), "au": today()}
    async with Visitor(site) as overseas:
        await signed_in_agent(site, overseas, dreets_region=REUNION_REGION)
        report = await overseas.get(SLA, params=period)
        assert report.status_code == 200 and "Les structures de votre région seulement" in text(report)
        assert structure.name not in text(report) and structure.structure_id not in report.text
        listing = await overseas.get(SLA + ".csv", params=period)
        assert listing.status_code == 200 and structure.structure_id not in listing.text
        assert (await overseas.get(STATISTICS)).status_code == 200
        refused = await overseas.get(AUDIT)
        assert refused.status_code == 403 and FORBIDDEN in text(refused)
        assert f'href="{AUDIT}"' not in (await overseas.get("/administration")).text, "not in the menu"
    async with Visitor(site) as paris:
        await signed_in_agent(site, paris, dreets_region=PARIS_REGION)
        assert structure.name in text(await paris.get(SLA, params=period)), "its own region's"


async def test_the_statistics_page_shows_the_apis_figures(site: Site, dge_page: Page, structure: Structure) -> None:
    page = dge_page
    platform = site.platform
    dge = await platform.dge_headers()
    await page.goto(STATISTICS)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques du réseau")
    end = datetime.now(UTC).date()
    start = end - timedelta(days=29)
    network = (await platform.directory.get("/api/v1/statistics", headers=dge,
                                            params={"from": start.isoformat(), "to": end.isoformat()})).json()
    instruction = (await platform.validation.get("/api/v1/statistics", headers=dge, params={
        "from": start.isoformat(), "to": (end + timedelta(days=1)).isoformat()})).json()
    figures = page.locator("#chiffres-annuaire li").first
    await expect(figures).to_contain_text(f"{network['published']['total']}")
    await expect(figures).to_contain_text("fiches publiées aujourd'hui")
    assert network["published"]["total"] >= 3, "the two seeded structures and this module's"
    waiting = page.locator("#chiffres-instruction li").first
    await expect(waiting).to_contain_text(str(instruction["waiting"]["to_review"]))
    region = page.locator("#tableau-regions tr", has=page.get_by_role("rowheader", name="Île-de-France"))
    paris = next(line for line in network["published"]["by_region"] if line["region"] == PARIS_REGION)
    await expect(region.locator("td")).to_have_text(str(paris["published"]))
    contacts = page.locator("#chiffres-annuaire li").nth(3)
    await expect(contacts).to_contain_text(str(network["totals"]["contacts_received"]))
    assert network["totals"]["contacts_received"] >= 2
    decisions = page.locator("#tableau-decisions tbody tr").last
    assert int((await decisions.locator("td").first.inner_text()).strip()) >= 1, "this month's acceptances"
    assert await page.locator("svg[role=img]").count() == 4, "each chart, with its table"
    await assert_accessible_and_narrow(page, "statistics")

    await page.get_by_label(starting("Du")).fill((end - timedelta(days=400)).isoformat())
    await page.get_by_label(starting("Au")).fill(end.isoformat())
    await page.get_by_role("button", name="Afficher").click()
    await expect(beside(page, "du")).to_contain_text("Une période compte 366 jours au plus.")
    await assert_accessible_and_narrow(page, "statistics, period too long")


async def test_the_audit_page_shows_the_chain_intact_and_the_structure_s_acceptance(
        site: Site, dge_page: Page, structure: Structure) -> None:
    page = dge_page
    await page.goto(AUDIT)
    await expect(page.locator("#verification")).to_have_class("fr-alert fr-alert--success fr-mb-4w")
    await expect(page.locator("#verification")).to_contain_text("Journal intact")
    verification = (await site.platform.validation.get("/api/v1/audit-log/verification",
                                                       headers=await site.platform.dge_headers())).json()
    assert verification["intact"] is True
    records = page.locator("#tableau-audit tbody tr")
    assert 1 <= await records.count() <= 50
    first_seq = int(await records.first.locator("th").inner_text())
    assert first_seq >= verification["records"] - 5, "the newest first"
    acceptance = page.locator("#tableau-audit tbody tr", has=page.get_by_role("link", name=structure.dossier_id))
    await expect(acceptance.first).to_contain_text("Dossier accepté")
    await assert_accessible_and_narrow(page, "audit log")

    await acceptance.first.get_by_role("link", name=structure.dossier_id).click()
    await expect(page.get_by_label("Identifiant du sujet")).to_have_value(structure.dossier_id)
    await expect(page.locator("#tableau-audit tbody tr").filter(has_text="Dossier accepté")).to_have_count(1)
    await assert_accessible_and_narrow(page, "audit log of one subject")

    await page.get_by_label("Identifiant du sujet").fill("pas-un-identifiant")
    await page.get_by_role("button", name="Filtrer").click()
    await expect(beside(page, "sujet")).to_contain_text("Cet identifiant n'est pas valide")
    await expect(page.get_by_label("Identifiant du sujet")).to_have_attribute("aria-invalid", "true")
    await assert_accessible_and_narrow(page, "audit log, invalid subject")
