"""A person using the extranet over HTTP: their own cookie jar, the CSRF token read from each form, sign-in."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from activateurs.web.session import SESSION_COOKIE, Session, SessionCookie
from tests.e2e.journeys import Person, open_account

from .site import Site

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COOKIES = SessionCookie("web tests secret", secure=False)  # Site.web_env's WEB_SECRET_KEY


def text(answer: httpx.Response) -> str:
    """The page as a reader sees its characters (Jinja escapes apostrophes and quotes)."""
    return html.unescape(answer.text)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Visitor:
    """`async with Visitor(site) as visitor:` — a browser of its own (cookies), following no redirect."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.http = httpx.AsyncClient(base_url=site.url, timeout=30)

    async def __aenter__(self) -> Visitor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def submit(self, page: str, action: str, fields: dict[str, Any]) -> httpx.Response:
        """Opens `page`, then posts its form to `action` with `fields` and the page's CSRF token."""
        opened = await self.http.get(page)
        assert opened.status_code == 200, f"{page}: {opened.status_code}"
        return await self.http.post(action, data={"csrf_token": csrf_of(opened.text), **fields})

    async def sign_in(self, person: Person, suite: str = "") -> httpx.Response:
        answer = await self.submit("/connexion", "/connexion", {"email": person.email, "password": person.password,
                                                                "suite": suite})
        assert answer.status_code == 303, answer.text[-2000:]
        return answer

    @property
    def session(self) -> Session | None:
        raw = self.http.cookies.get(SESSION_COOKIE)
        return COOKIES.decode(raw) if raw else None

    def set_session(self, session: Session) -> None:
        """Replaces the session cookie (a test ages the access token)."""
        self.http.cookies.delete(SESSION_COOKIE)
        self.http.cookies.set(SESSION_COOKIE, COOKIES.encode(session), domain="127.0.0.1", path="/")


async def signed_in_applicant(site: Site, visitor: Visitor) -> Person:
    """A new verified account (through the APIs), signed in on the site by `visitor`."""
    person = Person.unusual()
    await open_account(site.platform, person)
    await visitor.sign_in(person)
    return person
