"""`make screenshots`: the main pages (public and back-office) as PNG, desktop (1280 px) and mobile (375 px), full page,
in var/screenshots/.

Everything runs as the web tests run it (tests/web/site.py): fresh databases cloned from migrated templates,
a RabbitMQ vhost of its own, the five services and the web frontend on free loopback ports, two published
structures; Debian's Chromium takes the pictures. Nothing is left behind but the PNGs: the databases and the
vhost are dropped at the end. Three of them are copied to docs/screenshots/ for the README.

    .venv/bin/python deploy/local/screenshots.py [--out var/screenshots] [--docs docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.async_api import Browser, Page  # noqa: E402

import tests.web.site  # noqa: E402
from tests.e2e.journeys import Person, case, open_account, submit_dossier  # noqa: E402
from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost  # noqa: E402
from tests.web.agents import agent  # noqa: E402
from tests.web.browser import chromium, sign_in  # noqa: E402
from tests.web.site import STRUCTURES, Site  # noqa: E402

NAMES = list(STRUCTURES)  # the seeded structures, in order
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 375, "height": 812}}
# The pictures the README shows, from var/screenshots/ to docs/screenshots/.
FOR_README = ("home-desktop.png", "profile-desktop.png", "contact-errors-mobile.png")
BUSINESS = {"Nom de votre entreprise": "Boulangerie du Fournil", "Vos prénom et nom": "Marcel Pétrin",
            "Adresse électronique": "marcel.petrin@boulangerie-exemple.fr", "Téléphone": "01 40 00 00 00",
            "Code postal de l'entreprise": "75011", "Objet": "Vendre nos viennoiseries en ligne",
            "Votre message": "Bonjour,\n\nnous sommes une boulangerie de quartier et voudrions proposer la "
                             "commande en ligne avec retrait en boutique. Pouvez-vous nous aider à choisir "
                             "un outil et à le mettre en place ?\n\nMerci, Marcel"}


class Presentable(Person):
    """The referents the pictures show (their names are on the profiles' team): names a reader expects to see,
    where the tests' `Person.unusual()` makes names found nowhere else."""

    PEOPLE = [("Camille", "Lefèvre"), ("Noé", "Payet")]

    @classmethod
    def unusual(cls) -> Person:
        found = Person.unusual()
        first, last = cls.PEOPLE.pop(0) if cls.PEOPLE else (found.first_name, found.last_name)
        return Person(first_name=first, last_name=last, email=found.email, phone=found.phone)


def say(text: str) -> None:
    print(f"screenshots: {text}", flush=True)


async def settled(page: Page) -> None:
    """The DSFR's script started (it marks <html data-fr-js>) and the Marianne fonts loaded."""
    await page.wait_for_selector("html[data-fr-js=true]", state="attached")
    await page.evaluate("() => document.fonts.ready.then(() => true)")


async def shoot(page: Page, out: Path, name: str, width: str) -> None:
    await settled(page)
    target = out / f"{name}-{width}.png"
    await page.screenshot(path=str(target), full_page=True, animations="disabled")
    say(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


async def send_contact(page: Page) -> None:
    for label, value in BUSINESS.items():
        await page.get_by_label(label).fill(value)
    await page.locator("label[for^=domains-]", has_text="Site internet et e-commerce").click()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Envoyer ma demande").click()


async def take(browser: Browser, site: Site, out: Path) -> None:
    slug = site.slugs[NAMES[0]]
    acknowledgement: str | None = None
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(base_url=site.url, viewport=viewport, locale="fr-FR",
                                            device_scale_factor=1)
        try:
            page = await context.new_page()
            for name, path in (("home", "/"), ("results", "/activateurs?domain=cybersecurite&department=75"),
                               ("profile", f"/activateurs/{slug}")):
                await page.goto(path)
                await shoot(page, out, name, width)

            await page.goto(f"/activateurs/{slug}/contact")
            await shoot(page, out, "contact", width)
            async with page.expect_navigation():
                await page.get_by_role("button", name="Envoyer ma demande").click()
            await shoot(page, out, "contact-errors", width)

            if acknowledgement is None:  # one real request: its confirmation, then the structure's link
                await page.goto(f"/activateurs/{slug}/contact")
                await send_contact(page)
                referent = site.referents[NAMES[0]]
                mail = await site.platform.mail(referent.email, "contact_forwarded")
                acknowledgement = site.link(mail, "/contact-requests/")
            else:
                await page.goto(f"/activateurs/{slug}/contact/envoyee")
            await shoot(page, out, "contact-sent", width)

            await page.goto(acknowledgement)
            await shoot(page, out, "acknowledgement", width)
        finally:
            await context.close()


async def take_back_office(browser: Browser, site: Site, out: Path) -> None:
    """The DGE's pages, as an admin sees them: the queue with one dossier waiting, that dossier, the structures,
    one of them, the reports."""
    applicant = Presentable(first_name="Hugo", last_name="Marchand", email=Person.unusual().email,
                            phone="+33 6 12 34 56 78")
    await open_account(site.platform, applicant)
    dossier_id = await submit_dossier(site.platform, applicant, "Atelier Numérique du Marais")
    await case(site.platform, await site.platform.dge_headers(), dossier_id, "to_review")
    admin = await agent(site, admin=True)
    found = await site.platform.validation.get("/api/v1/structures", headers=await site.platform.login(
        admin.email, admin.password), params={"q": NAMES[0]})
    structure_id = found.json()["items"][0]["structure_id"]
    pages = (("admin-home", "/administration"), ("admin-queue", "/administration/dossiers"),
             ("admin-dossier", f"/administration/dossiers/{dossier_id}"),
             ("admin-structures", "/administration/structures"),
             ("admin-structure", f"/administration/structures/{structure_id}"),
             ("admin-sla", "/administration/rapports/delais-de-reponse"),
             ("admin-statistics", "/administration/rapports/statistiques"))
    for width, viewport in WIDTHS.items():
        context = await browser.new_context(base_url=site.url, viewport=viewport, locale="fr-FR",
                                            device_scale_factor=1)
        try:
            page = await context.new_page()
            await sign_in(page, admin.email, admin.password)
            await page.wait_for_url("**/administration")
            for name, path in pages:
                await page.goto(path)
                await shoot(page, out, name, width)
        finally:
            await context.close()


async def main(out: Path, docs: Path) -> None:
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    tests.web.site.Person = Presentable  # the site seeds its structures with these referents
    databases = DatabaseFactory()
    vhost_name, vhost = create_vhost()
    try:
        with tempfile.TemporaryDirectory(prefix="activateurs-screenshots-") as logs:
            say("starting the five services and the web frontend (about 30 s)…")
            async with Site(databases, vhost, Path(logs)) as site:
                say(f"up at {site.url} with {len(site.slugs)} published structures")
                async with chromium() as browser:
                    await take(browser, site, out)
                    await take_back_office(browser, site, out)
    finally:
        delete_vhost(vhost_name)
        await databases.drop_all()
    docs.mkdir(parents=True, exist_ok=True)
    for name in FOR_README:
        shutil.copyfile(out / name, docs / name)
    say(f"{', '.join(FOR_README)} copied to {docs}; done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.out.resolve(), arguments.docs.resolve()))
