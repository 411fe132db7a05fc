"""The back-office's people in tests: DGE agents, admins and DREETS agents made by registration's command line."""

from __future__ import annotations

from tests.e2e.journeys import Person

from .extranet import Visitor
from .site import Site

# The seeded structures are in Paris (Île-de-France, 11) and La Réunion (04): a DREETS agent of each side.
PARIS_REGION = "11"
REUNION_REGION = "04"


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
