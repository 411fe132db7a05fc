"""The back-office's queue of dossiers and one dossier: filters, every field of the revision, pre-checks, the
documents shown in the page (checked against their SHA-256), the thread and its information request, the
decision with its confirmation; a DREETS agent reads its region only, without the forms.

Real services and a real Chromium for the DGE's journey; the applicant works through the APIs and the extranet's
own form. axe-core on every page and error state, and 320 px without horizontal scrolling.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.journeys import Person, case, published_slug
from tests.support.waiting import eventually

from .admin_dossiers import PNG, REUNION, Submitted, resubmitted, submitted, tagged
from .agents import PARIS_REGION, REUNION_REGION, agent, agent_page
from .browser import assert_accessible, assert_accessible_and_narrow
from .extranet import Visitor, csrf_of, text
from .site import Site

QUEUE = "/administration/dossiers"
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
"""


def dossier_path(applicant: Submitted) -> str:
    return f"{QUEUE}/{applicant.dossier_id}"


def rows(answer: httpx.Response) -> list[str]:
    """The structure names the queue's table lists, in its order."""
    return re.findall(r'<td[^>]*><a class="fr-link act-break" href="/administration/dossiers/[^"]+">([^<]+)</a>',
                      text(answer).replace("&amp;", "&"))


def beside(answer: httpx.Response, field: str) -> str:
    """The error message beside a field of the page (DSFR: its messages group)."""
    found = re.search(rf'id="{field}-error">([^<]+)<', answer.text)
    return text(httpx.Response(200, text=found.group(1))) if found else ""


@dataclass(frozen=True)
class Agents:
    """The module's back-office people, made once (registration's command line takes seconds each)."""

    dge: Person
    dreets_paris: Person
    dreets_reunion: Person


@pytest.fixture(scope="module")
async def agents(site: Site) -> Agents:
    return Agents(*await asyncio.gather(agent(site), agent(site, dreets_region=PARIS_REGION),
                                        agent(site, dreets_region=REUNION_REGION)))


@pytest.fixture(scope="module")
async def paris_and_reunion(site: Site) -> tuple[Submitted, Submitted, str]:
    """Two dossiers under review sharing a tag in their names, the first in Paris (with an image among its
    documents), the second in La Réunion, submitted in that order; and the tag."""
    tag = uuid.uuid4().hex[:8]
    paris = await submitted(site, f"Atelier Quillon {tag}", image=True)
    reunion = await submitted(site, f"Comptoir Quillon {tag}", **REUNION)
    return paris, reunion, tag


async def click(target: Locator) -> None:
    """Once the page and its frames are loaded: Chromium's PDF viewer, starting in the dossier's frame, moved the
    page under a click made meanwhile (it missed its button)."""
    await target.page.wait_for_load_state("load")
    await target.scroll_into_view_if_needed()
    await target.click()


async def no_csp_violation(page: Page, what: str) -> None:
    violations = await page.evaluate("() => window.__cspViolations")
    assert violations == [], f"{what}: {violations}"


async def checked(page: Page, what: str) -> None:
    """axe-core, no horizontal scrolling at 320 px, no CSP violation."""
    await assert_accessible_and_narrow(page, what)
    await no_csp_violation(page, what)


# --- the queue ---------------------------------------------------------------------------------------------------


async def test_the_queue_lists_the_waiting_dossiers_oldest_first_and_filters_them(
        site: Site, agents: Agents, paris_and_reunion: tuple[Submitted, Submitted, str]) -> None:
    paris, reunion, tag = paris_and_reunion
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        listed = await visitor.get(QUEUE, params={"q": tag})
        assert listed.status_code == 200
        assert rows(listed) == [paris.name, reunion.name], "oldest wait first"
        page = text(listed)
        assert "À vérifier" in page, "the pre-checks' verdict (the website is not fetched in tests)"
        assert "75 — Paris" in page and "974 — La Réunion" in page and "Île-de-France" in page
        assert "À instruire" in page and "0 jour" in page

        assert rows(await visitor.get(QUEUE, params={"q": tag, "region": PARIS_REGION})) == [paris.name]
        assert rows(await visitor.get(QUEUE, params={"q": tag, "region": REUNION_REGION})) == [reunion.name]
        assert rows(await visitor.get(QUEUE, params={"q": tag, "precontrole": "to_check"})) == [paris.name,
                                                                                                reunion.name]
        assert rows(await visitor.get(QUEUE, params={"q": tag, "statut": "to_review"})) == [paris.name, reunion.name]
        assert rows(await visitor.get(QUEUE, params={"q": tag.upper(), "statut": "tous"})) == [paris.name,
                                                                                                reunion.name]
        assert rows(await visitor.get(QUEUE, params={"q": f"Comptoir Quillon {tag}"})) == [reunion.name]
        for nothing in ({"q": tag, "precontrole": "fail"}, {"q": tag, "statut": "accepted"},
                        {"q": tag, "statut": "awaiting_applicant"}, {"q": tag, "region": "84"}):
            empty = await visitor.get(QUEUE, params=nothing)
            assert empty.status_code == 200 and rows(empty) == [], nothing
            assert "Aucun dossier ne correspond à ces critères" in text(empty), nothing

        # One dossier a page: the second page keeps the filters, in a URL one can share.
        first = await visitor.get(QUEUE, params={"q": tag, "par_page": "1"})
        assert rows(first) == [paris.name] and "page 1 sur 2" in text(first)
        second_url = re.search(r'href="(/administration/dossiers\?[^"]*page=2)"', first.text).group(1)
        second = await visitor.get(text(httpx.Response(200, text=second_url)))
        assert rows(second) == [reunion.name] and "page 2 sur 2" in text(second)


async def test_unknown_filters_are_said_beside_their_field_and_left_out(
        site: Site, agents: Agents, paris_and_reunion: tuple[Submitted, Submitted, str]) -> None:
    paris, reunion, tag = paris_and_reunion
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        odd = await visitor.get(QUEUE, params={"q": tag, "statut": "archive", "region": "99",
                                               "precontrole": "peut-etre", "page": "x", "par_page": "-3"})
        assert odd.status_code == 200
        assert "Ce statut est inconnu" in beside(odd, "statut")
        assert "Cette région est inconnue" in beside(odd, "region")
        assert "Ce résultat est inconnu" in beside(odd, "precontrole")
        assert rows(odd) == [paris.name, reunion.name], "the other filters still apply"
        too_long = await visitor.get(QUEUE, params={"q": "x" * 201, "region": PARIS_REGION})
        assert too_long.status_code == 200 and "200 caractères au maximum" in beside(too_long, "q")
        assert paris.name in rows(too_long) and reunion.name not in rows(too_long)
        nul = await visitor.get(QUEUE, params={"q": "a\x00b"})
        assert nul.status_code == 200 and "caractère invalide" in beside(nul, "q")


async def test_a_dreets_agent_sees_only_its_region_and_no_form(
        site: Site, agents: Agents, paris_and_reunion: tuple[Submitted, Submitted, str]) -> None:
    paris, reunion, tag = paris_and_reunion
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dreets_reunion)
        listed = await visitor.get(QUEUE, params={"q": tag, "region": PARIS_REGION})
        assert rows(listed) == [reunion.name], "its own region whatever the address asks"
        assert 'name="region"' not in listed.text and "La Réunion" in text(listed)
        assert (await visitor.get(dossier_path(paris))).status_code == 404
        own = await visitor.get(dossier_path(reunion))
        assert own.status_code == 200 and reunion.name in text(own)
        assert "Écrire au demandeur" not in text(own) and 'action="/administration/dossiers' not in own.text
        assert "Votre accès est en consultation" in text(own)
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dreets_paris)
        page = await visitor.get(dossier_path(paris))
        assert page.status_code == 200 and 'name="decision"' not in page.text
        assert paris.sha256("extrait_immatriculation") in page.text
        # Its region's documents open too (validation fetches them from registration with the agent's token).
        link = re.search(re.escape(dossier_path(paris)) + r"/documents/[0-9a-f-]{36}", page.text)
        assert link, "the page links its document"
        document = await visitor.get(link.group(0))
        assert document.status_code == 200 and document.content == paris.files["extrait_immatriculation"]


# --- one dossier ---------------------------------------------------------------------------------------------------


async def test_an_unknown_or_malformed_dossier_is_not_found(site: Site, agents: Agents, browser: Browser) -> None:
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        for path in (f"{QUEUE}/{uuid.uuid4()}", f"{QUEUE}/pas-un-identifiant", f"{QUEUE}/{uuid.uuid4()}/documents/"
                     f"{uuid.uuid4()}"):
            answer = await visitor.get(path)
            assert answer.status_code == 404 and "Page non trouvée" in text(answer), path
    async with agent_page(browser, site, agents.dge, init_script=CSP_PROBE) as page:
        answer = await page.goto(f"{QUEUE}/{uuid.uuid4()}")
        assert answer is not None and answer.status == 404
        await checked(page, "the 404 of an unknown dossier")
        await page.goto(QUEUE + "?q=personne-ne-porte-ce-nom")
        await expect(page.get_by_text("Aucun dossier ne correspond à ces critères")).to_be_visible()
        await checked(page, "the queue without a result")


async def test_a_document_is_served_inline_to_our_own_frames_and_downloaded_on_demand(
        site: Site, agents: Agents, paris_and_reunion: tuple[Submitted, Submitted, str]) -> None:
    paris, _, _ = paris_and_reunion
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        page = await visitor.get(dossier_path(paris))
        frame = re.search(r'<iframe class="act-document-frame"[^>]* src="([^"]+)"', page.text).group(1)
        image = re.search(r'<img class="act-document-image" src="([^"]+)"', page.text).group(1)
        shown = await visitor.get(frame)
        assert shown.status_code == 200 and shown.content == paris.files["extrait_immatriculation"]
        assert shown.headers["content-type"] == "application/pdf"
        assert shown.headers["content-disposition"].startswith("inline")
        assert shown.headers["cache-control"] == "no-store"
        assert shown.headers["x-content-type-options"] == "nosniff"
        assert shown.headers["x-frame-options"] == "SAMEORIGIN"
        policy = shown.headers.get_list("content-security-policy")
        assert len(policy) == 1 and "frame-ancestors 'self'" in policy[0]
        picture = await visitor.get(image)
        assert picture.content == PNG and picture.headers["content-type"] == "image/png"
        downloaded = await visitor.get(frame, params={"telechargement": "1"})
        assert downloaded.headers["content-disposition"].startswith("attachment")
        # Every other page stays out of any frame.
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_a_document_that_no_longer_matches_its_sha256_is_said_so_in_place(site: Site, agents: Agents) -> None:
    applicant = await submitted(site, tagged("Atelier Altéré"), image=True)
    registration = site.platform.database_urls["registration"].replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(registration)
    try:
        changed = await connection.execute("UPDATE documents SET content = content || '\\x00'::bytea "
                                           "WHERE account_id = (SELECT id FROM accounts WHERE email = $1)",
                                           applicant.person.email)
    finally:
        await connection.close()
    assert changed == "UPDATE 2"
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        page = await visitor.get(dossier_path(applicant))
        assert page.status_code == 200, "the dossier's page does not depend on its files"
        frame = re.search(r'<iframe class="act-document-frame"[^>]* src="([^"]+)"', page.text).group(1)
        image = re.search(r'<img class="act-document-image" src="([^"]+)"', page.text).group(1)
        unreadable = await visitor.get(frame)
        assert unreadable.status_code == 502
        assert "Cette pièce ne peut pas être affichée" in text(unreadable)
        assert "empreinte SHA-256" in text(unreadable)
        assert unreadable.headers["x-frame-options"] == "SAMEORIGIN", "shown in the frame, in place of the PDF"
        picture = await visitor.get(image, headers={"Sec-Fetch-Dest": "image"})
        assert picture.status_code == 502 and picture.headers["content-type"].startswith("image/svg+xml")
        assert "Cette pièce ne peut pas être affichée" in picture.text


async def test_a_message_and_a_decision_need_what_they_need(site: Site, agents: Agents) -> None:
    applicant = await submitted(site, tagged("Atelier Brouillon"))
    path = dossier_path(applicant)
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        empty = await visitor.submit(path, path + "/messages", {"body": "   "})
        assert empty.status_code == 422 and "Écrivez le message" in beside(empty, "body")
        plain = await visitor.submit(path, path + "/messages", {"body": "Bonjour, nous lisons votre dossier."})
        assert plain.status_code == 303, "a plain message needs no confirmation"
        assert (await case(site.platform, await site.platform.dge_headers(), applicant.dossier_id,
                           "to_review"))["thread"][0]["body"] == "Bonjour, nous lisons votre dossier."
        none = await visitor.submit(path, path + "/decision", {"reason": "Bien."})
        assert none.status_code == 422 and "Choisissez d'accepter ou de refuser" in beside(none, "decision")
        bare = await visitor.submit(path, path + "/decision", {"decision": "refused", "reason": " "})
        assert bare.status_code == 422 and "Indiquez le motif du refus" in beside(bare, "reason")
        forged = await visitor.http.post(path + "/decision", data={"csrf_token": "faux", "decision": "accepted",
                                                                   "confirmation": "oui"})
        assert forged.status_code == 403
        assert (await case(site.platform, await site.platform.dge_headers(), applicant.dossier_id,
                           "to_review"))["status"] == "to_review", "nothing was decided"


async def test_a_refusal_sends_its_reason_and_a_second_decision_shows_the_first(site: Site, agents: Agents) -> None:
    applicant = await submitted(site, tagged("Comptoir Refusé"), **REUNION)
    path, reason = dossier_path(applicant), "Votre activité ne concerne pas la transformation numérique des TPE."
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        step = await visitor.submit(path, path + "/decision", {"decision": "refused", "reason": reason})
        assert step.status_code == 200 and "Confirmer le refus" in text(step)
        assert reason in text(step) and "Un courriel est envoyé au demandeur" in text(step)
        assert (await case(site.platform, await site.platform.dge_headers(), applicant.dossier_id,
                           "to_review"))["status"] == "to_review", "the confirmation step decides nothing"
        done = await visitor.http.post(path + "/decision", data={
            "csrf_token": csrf_of(step.text), "decision": "refused", "reason": reason, "confirmation": "oui"})
        assert done.status_code == 303 and done.headers["location"] == path
        shown = await visitor.get(path)
        assert "Dossier refusé : un courriel en donne le motif" in text(shown)
        assert "Dossier refusé" in text(shown) and f"Motif : {reason}" in text(shown)
        assert 'name="decision"' not in shown.text and "Écrire au demandeur" not in text(shown)
        mail = await site.platform.mail(applicant.person.email, "dossier_refused")
        assert reason in mail.part("text/plain")

        again = await visitor.http.post(path + "/decision", data={
            "csrf_token": csrf_of(shown.text), "decision": "accepted", "reason": "", "confirmation": "oui"})
        assert again.status_code == 409, "nothing done: the dossier shows its decision"
        assert "Ce dossier est déjà décidé" in text(again) and f"Motif : {reason}" in text(again)
        late = await visitor.http.post(path + "/messages", data={"csrf_token": csrf_of(shown.text),
                                                                  "body": "Encore une question."})
        assert late.status_code == 409 and "les échanges sont clos" in text(late)
    refused = await case(site.platform, await site.platform.dge_headers(), applicant.dossier_id, "refused")
    assert refused["decision_reason"] == reason and len(refused["thread"]) == 0


async def test_a_new_revision_shows_what_changed(site: Site, agents: Agents) -> None:
    applicant = await submitted(site, tagged("Atelier Révisé"))
    dge = await site.platform.dge_headers()
    asked = await site.platform.validation.post(f"/api/v1/dossiers/{applicant.dossier_id}/messages", headers=dge,
                                                json={"body": "Précisez vos tarifs.", "requests_information": True})
    assert asked.status_code == 201, asked.text
    await eventually(lambda: _registration_awaits(site, applicant), timeout=30, interval=0.2,
                     what="registration awaiting the applicant")
    await resubmitted(site, applicant, pricing="Diagnostic offert, puis 450 € HT par jour",
                      networks=["French Tech"])

    async def second_revision() -> dict | None:
        found = (await site.platform.validation.get(f"/api/v1/dossiers/{applicant.dossier_id}", headers=dge)).json()
        return found if found["revision"] == 2 and found["status"] == "to_review" else None
    detail = await eventually(second_revision, timeout=60, interval=0.2, what="revision 2 in validation")
    async with Visitor(site) as visitor:
        await visitor.sign_in(agents.dge)
        answer = await visitor.get(dossier_path(applicant))
        page = text(answer)
        assert "Le dossier soumis (révision 2)" in page and detail["previous_dossier"] is not None
        changes = re.search(r"<caption>Modifications depuis la révision 1</caption>(.*?)</table>", page, re.S)
        assert changes, "the table of what changed"
        changed = [[cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                   for row in re.findall(r"<tr>(.*?)</tr>", changes.group(1), re.S)][1:]
        assert changed == [
            ["Tarifs", "Diagnostic offert, puis 600 € HT/jour", "Diagnostic offert, puis 450 € HT par jour"],
            ["Réseaux dont vous êtes membre", "Non renseigné", "French Tech"]]


async def _registration_awaits(site: Site, applicant: Submitted) -> bool:
    me = (await site.platform.registration.get("/api/v1/me", headers=applicant.person.headers)).json()
    return (me.get("structure") or {}).get("status") == "awaiting_applicant"


# --- the DGE's journey in the browser -----------------------------------------------------------------------------


async def pdf_shown(page: Page, source: str) -> None:
    """In another tab of the same agent: the PDF opened in the dossier's page, its frame showing the document."""
    viewer = await page.context.new_page()
    try:
        await viewer.goto(page.url)
        await viewer.get_by_text("Afficher le PDF dans la page").click()
        frame = viewer.locator("iframe.act-document-frame")
        await expect(frame).to_be_visible()
        element = await frame.element_handle()

        async def loaded() -> bool:
            content = await element.content_frame()
            return content is not None and content.url.endswith(source)
        await eventually(loaded, timeout=10, interval=0.2, what="the PDF in its frame")
        await assert_accessible(viewer, "a dossier with its PDF open")
        await no_csp_violation(viewer, "a dossier with its PDF open")
    finally:
        await viewer.close()


async def test_the_dge_instructs_a_dossier_asks_reads_the_answer_and_accepts_it(site: Site, agents: Agents,
                                                                               browser: Browser) -> None:
    tag = uuid.uuid4().hex[:8]
    paris = await submitted(site, f"Atelier Parcours {tag}", image=True)
    async with agent_page(browser, site, agents.dge, init_script=CSP_PROBE) as page:
        await page.locator(".fr-sidemenu").get_by_role("link", name="Dossiers à instruire").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers à instruire")
        await page.get_by_label("Nom de la structure").fill(tag)
        await page.get_by_label("Pré-contrôles").select_option("to_check")
        await page.get_by_role("button", name="Filtrer").click()
        await expect(page).to_have_url(re.compile(rf"q={tag}"))
        table = page.get_by_role("table")
        await expect(table.get_by_role("row")).to_have_count(2)  # the header and the dossier
        await checked(page, "the queue")

        documents: list[str] = []
        page.on("request", lambda request: documents.append(request.url) if "/documents/" in request.url else None)
        await table.get_by_role("link", name=paris.name).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(paris.name)
        main = page.locator("main")
        for shown in ("Entreprise de services numériques", "Privée", "10-19 salariés", "1 mars 2015",
                      "12 rue de la Roquette", "Cybersécurité, Site internet et e-commerce",
                      "75 — Paris, 92 — Hauts-de-Seine, 93 — Seine-Saint-Denis", paris.person.email,
                      "SIRET 73282932000074 : clé de contrôle valide.", "Pré-contrôles : À vérifier"):
            await expect(main.get_by_text(shown, exact=False).first).to_be_visible()
        frame = page.locator("iframe.act-document-frame")
        await expect(frame).to_have_attribute("title", re.compile("^Extrait d'immatriculation"))
        image = page.get_by_role("img", name=re.compile("^Référence client"))
        await expect(image).to_be_visible()
        assert await image.evaluate("(img) => img.decode().then(() => img.naturalWidth)") == 24, "the image is drawn"
        codes = await page.locator("code.act-sha256").all_inner_texts()
        assert sorted(codes) == sorted([paris.sha256("extrait_immatriculation"), paris.sha256("reference_client")])
        source = await frame.get_attribute("src") or ""
        served = await page.request.get(source)
        assert hashlib.sha256(await served.body()).hexdigest() == paris.sha256("extrait_immatriculation")
        await checked(page, "a dossier to review")
        assert not [url for url in documents if url.endswith(source)], "the PDF loads when asked for, not before"
        await pdf_shown(page, source)

        # An empty message: the error beside the field.
        await click(page.get_by_role("button", name="Envoyer"))
        await expect(page.locator("#body-error")).to_have_text("Écrivez le message avant de l'envoyer.")
        await checked(page, "the message form's error")

        # An information request: the confirmation step first.
        question = "Pouvez-vous joindre votre attestation de vigilance URSSAF ?"
        await page.get_by_label("Message").fill(question)
        await click(page.get_by_text("Demander des informations au demandeur"))
        await click(page.get_by_role("button", name="Envoyer"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Demander des informations au demandeur")
        await expect(page.get_by_text(question)).to_be_visible()
        await checked(page, "the information request's confirmation")
        await click(page.get_by_role("button", name="Confirmer la demande d'informations"))
        await expect(page.get_by_role("status")).to_contain_text("Demande d'informations envoyée")
        await expect(page.locator(".fr-badges-group").first).to_contain_text("En attente du demandeur")
        await checked(page, "a dossier awaiting the applicant")
        dge = await site.platform.dge_headers()
        waiting = await case(site.platform, dge, paris.dossier_id, "awaiting_applicant")
        assert waiting["respond_by"]
        mail = await site.platform.mail(paris.person.email, "information_requested")
        assert question in mail.part("text/plain")

        # The applicant answers on the extranet; the dossier is back in review with the answer in the thread.
        answer = "Voici l'attestation : je l'ajoute à mon dossier dès ce soir."
        async with Visitor(site) as applicant:
            await applicant.sign_in(paris.person)
            await eventually(lambda: _registration_awaits(site, paris), timeout=30, interval=0.2,
                             what="registration awaiting the applicant")
            sent = await applicant.submit("/mon-dossier/echanges", "/mon-dossier/echanges", {"body": answer})
            assert sent.status_code == 303, text(sent)[-800:]
        await case(site.platform, dge, paris.dossier_id, "to_review")
        await page.reload()
        await expect(page.locator("#echanges ~ ol").get_by_text(answer)).to_be_visible()
        await expect(page.locator(".fr-badges-group").first).to_contain_text("À instruire")

        # A refusal without its reason: the error beside the field.
        await click(page.get_by_text("Refuser le dossier", exact=True))
        await click(page.get_by_role("button", name="Continuer"))
        await expect(page.locator("#reason-error")).to_have_text(
            "Indiquez le motif du refus : il est envoyé au demandeur.")
        await checked(page, "the decision form's error")

        # The acceptance, confirmed.
        await click(page.get_by_text(re.compile("^Accepter le dossier")))
        await click(page.get_by_role("button", name="Continuer"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer l'acceptation")
        await expect(page.get_by_text("Un courriel est envoyé au demandeur")).to_be_visible()
        await click(page.get_by_role("button", name="Accepter le dossier"))
        await expect(page.get_by_role("status")).to_contain_text("Dossier accepté")
        await expect(page.locator("#decision-prise")).to_contain_text("Dossier accepté")
        await checked(page, "a decided dossier")
        accepted = await case(site.platform, dge, paris.dossier_id, "accepted")
        assert accepted["structure_id"]
        await expect(page.get_by_text(accepted["structure_id"])).to_be_visible()

        slug = await published_slug(site.platform, paris.name)
        assert (await site.web.get(f"/activateurs/{slug}")).status_code == 200
        assert (await site.platform.mail(paris.person.email, "dossier_accepted"))
