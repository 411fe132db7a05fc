"""A page of one account never shows another's data: every page of the space one referent can reach, opened
with another referent's session, shows none of the first one's names, address, structure or requests."""

from __future__ import annotations

import html
import re
import uuid
from collections import deque
from urllib.parse import urljoin, urlsplit

from tests.e2e.journeys import Person, accepted_structure, business, dge_agent

from .extranet import Visitor, text

SPACE = ("/espace", "/mon-dossier")
LINK = re.compile(r'href="([^"#]+)"')
MOST_PAGES = 80


async def reachable_pages(visitor: Visitor) -> dict[str, str]:
    """Every page of the space reachable by links from /espace (GET only, as a person clicking around): URL → text."""
    seen: dict[str, str] = {}
    pending = deque(["/espace"])
    while pending and len(seen) < MOST_PAGES:
        url = pending.popleft()
        if url in seen:
            continue
        answer = await visitor.get(url)
        assert answer.status_code < 500, f"{url}: {answer.status_code}"
        seen[url] = text(answer) if answer.status_code == 200 else ""
        if "html" not in answer.headers.get("content-type", ""):
            continue
        for href in LINK.findall(answer.text):
            target = urlsplit(urljoin(url, html.unescape(href)))
            path = target.path + (f"?{target.query}" if target.query else "")
            if not target.netloc and target.path.startswith(SPACE) and path not in seen:
                pending.append(path)
    return seen


async def test_every_page_of_one_referent_opened_by_another_shows_nothing_of_the_first(site) -> None:
    tag = uuid.uuid4().hex[:6]
    dge = await dge_agent(site.platform)
    first, other = Person.unusual(), Person.unusual()
    _, first_slug = await accepted_structure(site.platform, first, f"Isolée Alpha {tag}", dge)
    await accepted_structure(site.platform, other, f"Isolée Bêta {tag}", dge)
    company = f"Entreprise Confidentielle {tag}"
    sent = await site.platform.contact_relay.post("/api/v1/contact-requests",
                                                  json={**business(first_slug), "company_name": company})
    assert sent.status_code == 202, sent.text
    await site.platform.mail(first.email, "contact_forwarded")

    markers = {first.email, first.first_name, first.last_name, f"Isolée Alpha {tag}", company}
    async with Visitor(site) as mine, Visitor(site) as theirs:
        await mine.sign_in(first)
        pages = await reachable_pages(mine)
        shown = {marker for marker in markers if any(marker in page for page in pages.values())}
        # The crawl must have seen the first referent's own data, or this test could not fail.
        assert {first.email, f"Isolée Alpha {tag}"} <= shown, f"pages seen: {sorted(pages)}"

        await theirs.sign_in(other)
        leaks = {}
        for url in pages:
            answer = await theirs.get(url)
            assert answer.status_code < 500, f"{url} with another session: {answer.status_code}"
            found = {marker for marker in markers if marker in text(answer)}
            if found:
                leaks[url] = sorted(found)
        assert leaks == {}, f"another account's data on: {leaks}"
        assert len(pages) >= 3, sorted(pages)
