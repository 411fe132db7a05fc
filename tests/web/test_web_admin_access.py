"""Who may open the back-office: the DGE's agents and admins, the DREETS agents read-only; nobody else.

Every route under /administration is taken from the back-office's routers themselves, so a page added later is
checked too: an activator's session gets the 403 page on each (GET and POST, with a valid CSRF token so the refusal
is the role's), a DREETS agent gets it on every action and on the admins' pages, a signed-out visitor is sent to
sign in.
"""

from __future__ import annotations

import re
import uuid

from fastapi.routing import APIRoute

from activateurs.web.pages.administration import dossier, home, programme, queue, reports, structures

from .agents import FORBIDDEN, PARIS_REGION, signed_in_agent
from .extranet import Visitor, csrf_of, signed_in_applicant, text
from .site import STRUCTURES, Site

MODULES = (home, queue, dossier, structures, programme, reports)
# Pages a DREETS agent reads (its region's): everything else is an action or the admins'.
DREETS_READS = re.compile(r"^/administration(/dossiers(/[^/]+(/documents/[^/]+)?)?|/structures(/[^/]+)?"
                          r"|/rapports/(delais-de-reponse(\.csv)?|statistiques))?$")


def back_office_routes() -> list[tuple[str, str]]:
    """(method, path) of every back-office route, each path parameter given a well-formed unknown id."""
    found = []
    for module in MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
            assert path.startswith("/administration"), route.path
            found += [(method, path) for method in sorted(route.methods)]
    return found


async def assert_refused(visitor: Visitor, method: str, path: str, csrf_token: str) -> None:
    """The back-office's 403 page; a POST carries a valid CSRF token and a reason, so the refusal is the role's."""
    if method == "GET":
        answer = await visitor.get(path)
    else:
        answer = await visitor.http.request(method, path, data={"csrf_token": csrf_token, "reason": "x",
                                                                "confirmation": "oui"})
    assert answer.status_code == 403, f"{method} {path}: {answer.status_code}"
    assert FORBIDDEN in text(answer), f"{method} {path}: not the back-office's 403 page"


def test_every_back_office_route_is_under_administration() -> None:
    assert ("GET", "/administration") in back_office_routes()


async def test_an_agent_signing_in_lands_in_the_back_office(site: Site) -> None:
    async with Visitor(site) as visitor:
        person = await signed_in_agent(site, visitor)
        signed_in = await visitor.submit("/connexion", "/connexion", {"email": person.email,
                                                                      "password": person.password})
        assert signed_in.headers["location"] == "/administration"
        page = await visitor.get("/administration")
        assert page.status_code == 200
        assert "Administration du réseau" in text(page) and person.first_name in text(page)
        assert "Dossiers à instruire" in text(page)
        assert "/administration/programme/charte" not in page.text, "an agent is not an admin"
        assert (await visitor.get("/espace")).headers["location"] == "/administration"


async def test_an_admin_sees_the_programme(site: Site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_agent(site, visitor, admin=True)
        page = await visitor.get("/administration")
        assert page.status_code == 200 and "/administration/programme/charte" in page.text


async def test_an_activator_gets_403_on_every_back_office_url(site: Site) -> None:
    async with Visitor(site) as visitor:
        await visitor.sign_in(site.referents[next(iter(STRUCTURES))])
        token = csrf_of((await visitor.get("/espace/compte")).text)
        for method, path in back_office_routes():
            await assert_refused(visitor, method, path, token)


async def test_an_applicant_without_structure_gets_403_too(site: Site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_applicant(site, visitor)
        answer = await visitor.get("/administration")
        assert answer.status_code == 403 and FORBIDDEN in text(answer)


async def test_a_dreets_agent_reads_and_never_acts(site: Site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_agent(site, visitor, dreets_region=PARIS_REGION)
        home_page = await visitor.get("/administration")
        assert home_page.status_code == 200 and "consultation" in text(home_page)
        for method, path in back_office_routes():
            if method == "GET" and DREETS_READS.match(path):
                continue  # a read of its region: the pages' own tests check what it shows
            await assert_refused(visitor, method, path, csrf_of(home_page.text))


async def test_a_signed_out_visitor_is_sent_to_sign_in(site: Site) -> None:
    async with Visitor(site) as visitor:
        for method, path in back_office_routes():
            answer = await (visitor.get(path) if method == "GET" else visitor.http.request(method, path, data={}))
            assert answer.status_code == 303, f"{method} {path}: {answer.status_code}"
            assert answer.headers["location"].startswith("/connexion?suite=%2Fadministration")
