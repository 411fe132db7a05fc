"""The activator's contact inbox and statistics over HTTP: a business writes on the site, the referent reads,
acknowledges or redirects it from the site; the statistics count the profile's views, as a chart and a table."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tests.e2e.journeys import business
from tests.support.waiting import eventually

from .extranet import Visitor, text
from .site import Site

FIRST, SECOND = "Numérique & Co", "Web Atelier Réunion"
DEADLINE = re.compile(r"à prendre en compte avant le \d{1,2} \w+ 20\d\d à \d{1,2} h \d\d")


async def business_writes(site: Site, name: str) -> dict[str, Any]:
    """A business sends the public contact form of the structure `name`: the request's fields."""
    request = business(site.slugs[name])
    async with Visitor(site) as company:
        fields = {key: request[key] for key in ("company_name", "contact_name", "email", "phone", "postal_code",
                                                "message")}
        sent = await company.submit(f"/activateurs/{request['activator_slug']}/contact",
                                    f"/activateurs/{request['activator_slug']}/contact",
                                    {**fields, "domains": request["domains"]})
        assert sent.status_code == 303, sent.text[-1500:]
    return request


async def request_id_in_inbox(visitor: Visitor, company: str, query: str = "") -> str:
    """The id of the business's request, from the inbox page's link to it."""
    async def listed() -> str | None:
        page = await visitor.get("/espace/demandes" + query)
        assert page.status_code == 200, page.status_code
        found = re.search(r'href="/espace/demandes/([0-9a-f-]{36})">' + re.escape(company) + "<", page.text)
        return found.group(1) if found else None
    return await eventually(listed, timeout=20, interval=0.3, what=f"{company} in the inbox")


async def relay_status(site: Site, name: str, request_id: str) -> str:
    referent = site.referents[name]
    headers = await site.platform.login(referent.email, referent.password)
    answer = await site.platform.contact_relay.get(f"/api/v1/me/contact-requests/{request_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["status"]


async def test_a_request_shows_with_its_deadline_filters_and_is_acknowledged_from_the_site(site: Site) -> None:
    request = await business_writes(site, FIRST)
    company = request["company_name"]
    async with Visitor(site) as referent:
        await referent.sign_in(site.referents[FIRST])
        space = text(await referent.get("/espace"))
        assert "Demandes de contact" in space and "Statistiques" in space, "the side menu's entries"
        request_id = await request_id_in_inbox(referent, company)
        listing = text(await referent.get("/espace/demandes"))
        card = listing[listing.index(company):][:800]
        assert "À prendre en compte" in card and DEADLINE.search(card), card
        waiting = text(await referent.get("/espace/demandes?statut=forwarded"))
        assert company in waiting and "dans l'état « À prendre en compte »" in waiting
        assert company not in text(await referent.get("/espace/demandes?statut=acknowledged"))

        detail = await referent.get(f"/espace/demandes/{request_id}")
        assert detail.status_code == 200
        shown = text(detail)
        for value in (request["message"], request["email"], request["phone"], request["contact_name"]):
            assert value in shown, value
        assert re.search(r"À prendre en compte avant le \d{1,2} \w+ 20\d\d à \d{1,2} h \d\d", shown)

        done = await referent.submit(f"/espace/demandes/{request_id}", f"/espace/demandes/{request_id}/prise-en-compte",
                                     {})
        assert done.status_code == 303 and done.headers["location"] == f"/espace/demandes/{request_id}"
        after = text(await referent.get(done.headers["location"]))
        assert "Demande prise en compte" in after and "Prise en compte" in after
        assert "Je prends en compte cette demande" not in after
        assert await relay_status(site, FIRST, request_id) == "acknowledged"
        acknowledged = text(await referent.get("/espace/demandes?statut=acknowledged"))
        assert company in acknowledged
        assert company not in text(await referent.get("/espace/demandes?statut=forwarded"))
        await site.platform.mail(request["email"], "contact_acknowledged")
        # Acknowledging twice is harmless: the relay answers as before, the page says the same.
        again = await referent.submit(f"/espace/demandes/{request_id}", f"/espace/demandes/{request_id}/prise-en-compte",
                                      {})
        assert again.status_code == 303


async def test_a_request_is_redirected_to_an_activator_found_by_search_and_lands_in_their_inbox(site: Site) -> None:
    request = await business_writes(site, FIRST)
    company = request["company_name"]
    async with Visitor(site) as referent:
        await referent.sign_in(site.referents[FIRST])
        request_id = await request_id_in_inbox(referent, company)
        page = f"/espace/demandes/{request_id}/reorienter"

        # Confirming without a choice: the error beside the radio buttons, nothing sent.
        empty = await referent.submit(page, page, {"note": "Plutôt pour vous."})
        assert empty.status_code == 422 and "Choisissez l'activateur" in text(empty)
        assert 'value="Plutôt pour vous."' in empty.text or "Plutôt pour vous." in text(empty)

        # The search lists activators as radio buttons, the other structure among them.
        found = await referent.get(page, params={"q": "Réunion"})
        assert found.status_code == 200
        assert f'name="activator_slug" value="{site.slugs[SECOND]}"' in found.text

        # Redirecting to one's own structure is explained.
        mine = await referent.submit(f"{page}?q=Numérique", page, {"activator_slug": site.slugs[FIRST],
                                                                     "q": "Numérique"})
        assert mine.status_code == 409 and "C'est votre propre structure" in text(mine)

        note = "Boutique en ligne : c'est votre spécialité."
        done = await referent.submit(f"{page}?q=Réunion", page, {"activator_slug": site.slugs[SECOND], "note": note,
                                                                  "q": "Réunion"})
        assert done.status_code == 303 and done.headers["location"] == "/espace/demandes", done.text[-1500:]
        assert "réorientée" in text(await referent.get("/espace/demandes"))
        assert await relay_status(site, FIRST, request_id) == "redirected"
        redirected = text(await referent.get("/espace/demandes?statut=redirected"))
        assert company in redirected
        # Once redirected, the page says so and offers nothing more.
        again = await referent.get(page)
        assert "déjà réorientée" in text(again) and "Confirmer la réorientation" not in text(again)
        again_post = await referent.submit(f"/espace/demandes/{request_id}", page,
                                           {"activator_slug": site.slugs[SECOND]})
        assert again_post.status_code == 409

    async with Visitor(site) as other:
        await other.sign_in(site.referents[SECOND])
        new_id = await request_id_in_inbox(other, company)
        detail = text(await other.get(f"/espace/demandes/{new_id}"))
        assert note in detail and request["email"] in detail and "Confiée à votre structure" in detail
        # The first structure's request is not theirs to read.
        assert (await other.get(f"/espace/demandes/{request_id}")).status_code == 404


async def test_an_applicant_without_a_structure_is_told_the_inbox_and_statistics_are_for_activators(site) -> None:
    from .extranet import signed_in_applicant

    async with Visitor(site) as visitor:
        await signed_in_applicant(site, visitor)
        for path in ("/espace/demandes", "/espace/statistiques"):
            answer = await visitor.get(path)
            assert answer.status_code == 403 and "Réservé aux activateurs" in text(answer), path
        space = text(await visitor.get("/espace"))
        assert "Demandes de contact" not in space and "Statistiques" not in space
    async with Visitor(site) as stranger:
        assert (await stranger.get("/espace/demandes")).status_code == 303


async def test_the_statistics_count_the_profile_views_with_a_chart_and_a_table(site: Site) -> None:
    slug = site.slugs[SECOND]
    today = date.today().isoformat()
    async with Visitor(site) as referent:
        await referent.sign_in(site.referents[SECOND])
        before = await referent.get("/espace/statistiques", params={"du": today, "au": today, "par": "day"})
        assert before.status_code == 200, before.text[-1500:]
        views_before = int(re.search(r"<td>(\d+)</td>", before.text).group(1))
        for _ in range(3):
            assert (await site.web.get(f"/activateurs/{slug}")).status_code == 200

        async def counted() -> str | None:
            page = await referent.get("/espace/statistiques", params={"du": today, "au": today, "par": "day"})
            views = int(re.search(r"<td>(\d+)</td>", page.text).group(1))
            return page.text if views >= views_before + 3 else None
        shown = await eventually(counted, timeout=20, interval=0.5, what="the profile's views counted")
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in shown and 'role="img"' in shown
        assert 'aria-labelledby="graphique-views-title graphique-views-desc"' in shown
        assert "style=" not in shown[shown.index("<svg"):shown.rindex("</svg>")]
        assert '<div class="fr-table' in shown and "<caption>" in shown

        by_month = await referent.get("/espace/statistiques", params={"du": "2026-01-01", "au": "2026-03-31",
                                                                     "par": "month"})
        assert by_month.status_code == 200
        months = text(by_month)
        assert "janvier 2026" in months and "mars 2026" in months and "janv. 2026" in months

        wrong = await referent.get("/espace/statistiques", params={"du": "2026-03-10", "au": "2026-03-01"})
        assert wrong.status_code == 422 and "La date de début doit précéder" in text(wrong)
        assert (await referent.get("/espace/statistiques", params={"du": "hier"})).status_code == 422
        default = await referent.get("/espace/statistiques")
        assert default.status_code == 200 and "<svg" in default.text
