"""The back-office's people in tests: DGE agents, admins and DREETS agents made by registration's command line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.journeys import Person

from .browser import DESKTOP, sign_in
from .extranet import Visitor
from .site import Site

# The seeded structures are in Paris (Île-de-France, 11) and La Réunion (04): a DREETS agent of each side.
PARIS_REGION = "11"
REUNION_REGION = "04"
FORBIDDEN = "Accès réservé"  # the back-office's 403 page, to an agent whose role does not open the page


async def agent(site: Site, *, admin: bool = False, dreets_region: str | None = None) -> Person:
    """A new back-office account: a DGE agent, a DGE admin (`admin`), or a DREETS agent of `dreets_region`."""
    person = Person.unusual()
    person.email = person.email.replace("@exemple-activateur.fr", "@dge-exemple.gouv.fr")
    await site.platform.create_dge_account(person.email, person.password, admin=admin, dreets_region=dreets_region,
                                           first_name=person.first_name, last_name=person.last_name)
    return person


async def signed_in_agent(site: Site, visitor: Visitor, *, admin: bool = False,
                          dreets_region: str | None = None) -> Person:
    """`agent(...)`, signed in on the site by `visitor`."""
    person = await agent(site, admin=admin, dreets_region=dreets_region)
    await visitor.sign_in(person)
    return person


@asynccontextmanager
async def agent_page(browser: Browser, site: Site, person: Person, *,
                     init_script: str | None = None) -> AsyncIterator[Page]:
    """`async with agent_page(browser, site, person) as page:` a browser window of its own (cookies) at desktop
    width, in French, where the agent `person` has signed in: `page` is on the back-office's home. `init_script`
    runs in every page of the window before the page's own scripts."""
    context = await browser.new_context(base_url=site.url, viewport=DESKTOP, locale="fr-FR")
    try:
        if init_script:
            await context.add_init_script(init_script)
        page = await context.new_page()
        await sign_in(page, person.email, person.password)
        await expect(page).to_have_url(f"{site.url}/administration")
        yield page
    finally:
        await context.close()


def beside(page: Page, name: str) -> Locator:
    """The messages group the DSFR field macro puts beside the field `name` (where its error is said)."""
    return page.locator(f"#{name}-messages")
