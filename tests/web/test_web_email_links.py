"""Every link of every email lands on a page of the web frontend (200 on GET, or sign-in first for a page of the
space), and opening it changes nothing."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from starlette.routing import Match

from activateurs.notifier.adapters.rendering import EmailRenderer
from activateurs.shared.contracts.emails import EMAIL_CONTEXTS
from activateurs.web.app import create_app
from activateurs.web.config import WebSettings
from tests.e2e.journeys import Person, business, open_account
from tests.support.waiting import eventually

EXAMPLE_BASE = "https://activateurs.francenum.gouv.fr"
LINK = re.compile(re.escape(EXAMPLE_BASE) + r"[^\s<>\"')\]]*")
NON_GET = re.compile(r'^http_requests_total\{method="(POST|PUT|PATCH|DELETE)"[^}]*\} ([0-9.]+)$', re.M)


def example_links() -> dict[str, set[str]]:
    """Each template's links to the frontend, rendered from its documented example context."""
    renderer = EmailRenderer()
    links: dict[str, set[str]] = {}
    for key, model in EMAIL_CONTEXTS.items():
        rendered = renderer.render(key, model.model_config["json_schema_extra"]["examples"][0])
        links[key] = set(LINK.findall(rendered.text)) | set(LINK.findall(rendered.html.replace("&amp;", "&")))
    return links


def page_routes(routes):
    """Every route, those of included routers too (the web's routers have no prefix)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from page_routes(route.original_router.routes)
        else:
            yield route


def route_of(app, path: str) -> str | None:
    """The web app's route template serving GET `path`, if any."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    for route in page_routes(app.routes):
        matched, _ = route.matches(scope)
        if matched == Match.FULL:
            return route.path
    return None


def test_every_email_link_is_a_page_route() -> None:
    app = create_app(WebSettings())
    unserved = {(key, link) for key, links in example_links().items() for link in links
                if route_of(app, urlsplit(link).path) in (None, "/{path:path}")}
    assert not unserved, f"links to no page of the web frontend: {sorted(unserved)}"
    templates_with_links = {key for key, links in example_links().items() if links}
    assert len(templates_with_links) >= 15, "the examples lost their links: this test would prove nothing"


async def non_get_calls(site) -> dict[str, float]:
    """Per API, how many requests other than GET it has answered (its own Prometheus counters)."""
    counts = {}
    for name in site.platform.urls:
        text = (await site.platform.client(name).get("/metrics")).text
        counts[name] = sum(float(value) for _, value in NON_GET.findall(text))
    return counts


SIGNED_IN_PAGES = {"/espace", "/espace/engagement", "/mon-dossier"}


async def test_every_email_link_answers_200_and_its_get_changes_nothing(site) -> None:
    platform = site.platform
    referent = site.referents["Numérique & Co"]
    slug = site.slugs["Numérique & Co"]
    # The world the example links stand for, made real: an unverified account, a pending invitation,
    # a forwarded contact request, a published profile.
    newcomer = Person.unusual()
    assert (await platform.registration.post("/api/v1/accounts", json={
        "email": newcomer.email, "password": newcomer.password, "first_name": newcomer.first_name,
        "last_name": newcomer.last_name})).status_code == 202
    verification = site.link(await platform.mail(newcomer.email, "account_verification"), "/verification")
    member = Person.unusual()
    invited = await platform.registration.post("/api/v1/structure/members", headers=referent.headers, json={
        "email": member.email, "first_name": member.first_name, "last_name": member.last_name})
    assert invited.status_code == 201, invited.text
    invitation = site.link(await platform.mail(member.email, "member_invitation"), "/invitation")
    sent = await platform.contact_relay.post("/api/v1/contact-requests", json=business(slug))
    assert sent.status_code == 202, sent.text
    request_id = sent.json()["id"]
    forwarded = await eventually(lambda: next((mail for mail in platform.mails(referent.email, "contact_forwarded")
                                               if request_id in mail.part("text/plain")), None),
                                 timeout=60, interval=0.1, what="the forwarded mail of this request")
    acknowledgement = site.link(forwarded, f"/contact-requests/{request_id}/acknowledgement")
    real = {"/verification": verification, "/invitation": invitation,
            "/contact-requests/{request_id}/acknowledgement": acknowledgement,
            "/activateurs/{slug}": f"{site.url}/activateurs/{slug}"}

    app = create_app(WebSettings())
    before = await non_get_calls(site)
    opened = {}
    for key, links in example_links().items():
        for link in links:
            parts = urlsplit(link)
            route = route_of(app, parts.path)
            url = real.get(route) or site.url + parts.path + (f"?{parts.query}" if parts.query else "")
            answer = await site.web.get(url)
            if answer.status_code == 303 and route in SIGNED_IN_PAGES:
                # A page of the space: signed out, the link leads to sign-in, which then comes back to it.
                assert answer.headers["location"] == "/connexion?" + urlencode({"suite": parts.path}), key
                answer = await site.web.get(answer.headers["location"])
            opened[(key, route)] = answer.status_code
    assert {k: v for k, v in opened.items() if v != 200} == {}, "links that do not answer 200"
    assert set(real) <= {route for _, route in opened}, "a real link kind was not opened"

    # Nothing changed: no API answered anything but GETs while the links were opened…
    assert await non_get_calls(site) == before
    # …the account is still unverified, the request still waits, the invitation is still open.
    login = await platform.registration.post("/api/v1/auth/token",
                                             data={"username": newcomer.email, "password": newcomer.password})
    assert login.status_code == 401
    token = acknowledgement.split("token=", 1)[1]
    still = await platform.contact_relay.get(f"/api/v1/contact-requests/{request_id}", params={"token": token})
    assert still.json()["status"] == "forwarded"
    members = (await platform.registration.get("/api/v1/structure/members", headers=referent.headers)).json()
    assert member.email in str(members)


async def test_the_verification_link_verifies_only_with_its_button(site) -> None:
    person = Person.unusual()
    await site.platform.registration.post("/api/v1/accounts", json={
        "email": person.email, "password": person.password, "first_name": person.first_name,
        "last_name": person.last_name})
    link = site.link(await site.platform.mail(person.email, "account_verification"), "/verification")
    page = await site.web.get(link)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    done = await site.web.post("/verification", data={"csrf_token": csrf, "token": token})
    assert done.status_code == 303 and done.headers["location"] == "/verification/confirmee"
    assert (await site.platform.registration.post("/api/v1/auth/token", data={
        "username": person.email, "password": person.password})).status_code == 200
    again = await site.web.post("/verification", data={"csrf_token": csrf, "token": token + "x"})
    assert again.status_code == 400 and "n'est pas valide" in again.text
    forged = await site.web.post("/verification", data={"csrf_token": "forged", "token": token})
    assert forged.status_code == 403, "a post without this browser's CSRF token is refused"


async def test_the_new_address_replaces_the_old_one_only_with_the_button_of_its_link(site) -> None:
    person = Person.unusual()
    await open_account(site.platform, person)
    new_email = f"nouvelle-{person.email}"
    asked = await site.platform.registration.post("/api/v1/me/email", headers=person.headers,
                                                  json={"new_email": new_email, "password": person.password})
    assert asked.status_code == 202, asked.text
    link = site.link(await site.platform.mail(new_email, "email_change_verification"), "/email/confirmation")
    page = await site.web.get(link)
    assert page.status_code == 200 and "Confirmer ma nouvelle adresse" in page.text
    sign_in = {"username": new_email, "password": person.password}
    assert (await site.platform.registration.post("/api/v1/auth/token", data=sign_in)).status_code == 401, \
        "opening the link changed nothing"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    done = await site.web.post("/email/confirmation", data={"csrf_token": csrf, "token": token})
    assert done.status_code == 303 and done.headers["location"] == "/email/confirmee"
    assert (await site.web.get("/email/confirmee")).status_code == 200
    assert (await site.platform.registration.post("/api/v1/auth/token", data=sign_in)).status_code == 200
    again = await site.web.post("/email/confirmation", data={"csrf_token": csrf, "token": token})
    assert again.status_code == 400 and "n'est pas valide" in again.text, "a link serves once"
    assert (await site.web.get("/email/confirmation")).status_code == 400, "no token: a clear page"


async def test_open_account_journey_still_works_with_links_to_the_site(site) -> None:
    """The shared journey follows the verification link of the mail sent to this site."""
    person = Person.unusual()
    await open_account(site.platform, person)
    assert person.headers
