"""The public site over HTTP: pages, search engines' files, security headers, caching, errors people can read."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urlencode

import httpx

from activateurs.web.security import CONTENT_SECURITY_POLICY


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def test_every_page_carries_the_security_headers(site) -> None:
    for path in ("/", "/activateurs", "/nope", "/robots.txt"):
        answer = await site.web.get(path)
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    async with httpx.AsyncClient(base_url=site.url) as newcomer:
        home = await newcomer.get("/")
    cookie = home.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "<script>" not in home.text and " style=" not in home.text, "nothing inline: the CSP forbids it"


async def test_a_repeat_visit_fetches_no_static_file_again(site) -> None:
    page = (await site.web.get(f"/activateurs/{site.slugs['Numérique & Co']}")).text
    assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
    assert len(assets) >= 5
    for url in assets:
        answer = await site.web.get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200, url
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable", url
    css = await site.web.get(next(u for u in assets if u.endswith("dsfr.min.css")), headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    assert (await site.web.get("/")).headers["cache-control"] == "no-cache, private"


async def test_the_profile_page_shows_the_public_profile_for_people_and_search_engines(site) -> None:
    slug = site.slugs["Numérique & Co"]
    answer = await site.web.get(f"/activateurs/{slug}")
    assert answer.status_code == 200
    html = answer.text
    assert len(answer.content) <= 60_000, f"a profile page weighs {len(answer.content)} bytes"
    assert f'<link rel="canonical" href="{site.url}/activateurs/{slug}">' in html
    assert '<meta name="description" content="Numérique &amp; Co, entreprise de services numériques' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["@type"] == "Organization" and ld["name"] == "Numérique & Co" and ld["url"].endswith(slug)
    for shown in ("Cybersécurité", "Diagnostic offert", "Écrire à cet activateur", "Paris"):
        assert shown in html, shown
    referent = site.referents["Numérique & Co"]
    assert referent.first_name in html, "the referent's card is on the profile"
    assert referent.email not in html and "claire.durand" not in html and "73282932000074" not in html, \
        "no email and no SIRET on a public page"
    missing = await site.web.get("/activateurs/nobody-here")
    assert missing.status_code == 404 and "Page non trouvée" in missing.text


async def test_results_filter_paginate_and_explain(site) -> None:
    found = await site.web.get("/activateurs", params=[("department", "75"), ("domain", "cybersecurite")])
    assert found.status_code == 200 and "Numérique &amp; Co" in found.text
    assert "Web Atelier" not in found.text, "a structure of La Réunion does not cover Paris"
    overseas = await site.web.get("/activateurs", params={"department": "974"})
    assert "Web Atelier Réunion" in overseas.text and "Numérique &amp; Co" not in overseas.text
    nothing = await site.web.get("/activateurs", params={"q": "zzzzqqqqxxxx"})
    assert "Aucun activateur ne correspond" in nothing.text and "Élargissez votre recherche" in nothing.text
    wrong = await site.web.get("/activateurs", params={"postal_code": "00000"})
    assert wrong.status_code == 422 and "Ce code postal est inconnu" in wrong.text
    assert 'id="postal_code-error"' in wrong.text and 'value="00000"' in wrong.text
    mismatch = await site.web.get("/activateurs", params={"postal_code": "75011", "department": "13"})
    assert mismatch.status_code == 422 and "ne correspond pas" in mismatch.text
    ignored = await site.web.get("/activateurs", params={"domain": "pas-un-domaine", "page": "abc"})
    assert ignored.status_code == 200


async def test_sitemap_and_robots(site) -> None:
    sitemap = await site.web.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.headers["content-type"].startswith("application/xml")
    for slug in site.slugs.values():
        assert f"<loc>{site.url}/activateurs/{slug}</loc>" in sitemap.text
    robots = (await site.web.get("/robots.txt")).text
    assert f"Sitemap: {site.url}/sitemap.xml" in robots and "Disallow: /contact-requests/" in robots


async def test_open_data_is_downloaded_from_this_site(site) -> None:
    csv = await site.web.get("/donnees-ouvertes/activateurs.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    assert "Numérique & Co" in csv.text and csv.text.splitlines()[0].startswith("identifiant")
    data = (await site.web.get("/donnees-ouvertes/activateurs.json")).json()
    assert {item["nom"] for item in data} >= set(site.slugs)
    assert (await site.web.get("/donnees-ouvertes/activateurs.xml")).status_code == 404


async def test_the_charter_and_the_pages_every_state_site_has(site) -> None:
    charter = await site.web.get("/charte")
    current = (await site.platform.registration.get("/api/v1/charter")).json()  # the back-office's tests publish
    assert charter.status_code == 200 and f"Version {current['version']}" in charter.text
    for path, heading in {"/mentions-legales": "Mentions légales", "/accessibilite": "non conforme",
                          "/donnees-personnelles": "RGPD", "/donnees-ouvertes": "CSV", "/plan-du-site": "Plan du site",
                          "/connexion": "Se connecter"}.items():
        answer = await site.web.get(path)
        assert answer.status_code == 200 and heading in answer.text, path
    for private in ("/espace", "/espace/engagement", "/mon-dossier"):
        answer = await site.web.get(private)
        assert answer.status_code == 303, private
        assert answer.headers["location"] == "/connexion?" + urlencode({"suite": private}), private


async def test_a_form_posted_without_its_token_is_refused_and_nothing_is_sent(site) -> None:
    slug = site.slugs["Numérique & Co"]
    email = f"sans.jeton.{uuid.uuid4().hex[:6]}@exemple.fr"
    refused = await site.web.post(f"/activateurs/{slug}/contact", data={
        "company_name": "Sans jeton", "contact_name": "X", "email": email, "postal_code": "75011",
        "domains": "cybersecurite", "message": "Un message assez long pour passer."})
    assert refused.status_code == 403 and "pas pu être vérifié" in refused.text
    assert not site.platform.mails(email)


async def test_too_many_requests_are_explained_and_the_form_is_kept(site) -> None:
    slug = site.slugs["Web Atelier Réunion"]
    email = f"presse.{uuid.uuid4().hex[:6]}@exemple.fr"
    form = await site.web.get(f"/activateurs/{slug}/contact")
    body = {"csrf_token": csrf_of(form.text), "company_name": "Pressée SARL", "contact_name": "Anne Hâte",
            "email": email, "postal_code": "97400", "domains": "cybersecurite",
            "message": "Nous avons besoin d'aide pour sécuriser notre boutique."}
    statuses = [(await site.web.post(f"/activateurs/{slug}/contact", data=body)).status_code for _ in range(5)]
    assert statuses == [303] * 5
    limited = await site.web.post(f"/activateurs/{slug}/contact", data=body)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "réessayez dans" in limited.text and 'value="Pressée SARL"' in limited.text


async def test_a_request_to_an_unknown_activator_is_a_404_page(site) -> None:
    form = await site.web.get(f"/activateurs/{site.slugs['Numérique & Co']}/contact")
    answer = await site.web.post("/activateurs/nobody-here/contact", data={"csrf_token": csrf_of(form.text)})
    assert answer.status_code == 404 and "Page non trouvée" in answer.text


async def test_the_web_log_holds_no_personal_data_nor_link_tokens(site) -> None:
    """Run last in this module: the requests above typed emails, names and tokens into the site."""
    await site.web.get("/verification", params={"token": "secret-link-token-123"})
    log = site.log_text()
    assert log, "the web process logs (JSON on stdout)"
    for leaked in ("@exemple.fr", "Anne Hâte", "Pressée SARL", "secret-link-token-123", "token="):
        assert leaked not in log, leaked
