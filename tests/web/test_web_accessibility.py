"""Accessibility of every public page and error state: axe-core (WCAG 2.1 A/AA), 320 px, keyboard only, strict CSP.

One site and one Chromium for the module. Each page is opened in a fresh browser context, the way a first
visitor would, with the page's Content-Security-Policy left untouched: any violation it reports (console
message or `securitypolicyviolation` event) fails the test, as does any uncaught script error.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from uuid import uuid4

import pytest
from playwright.async_api import Browser, Page

from tests.e2e import journeys
from tests.e2e.journeys import Person, business, case, dge_agent, open_account, submit_dossier
from tests.support.waiting import eventually

from .browser import DESKTOP, NARROW, assert_accessible, assert_fits
from .members import joined_member, own_structure
from .site import STRUCTURES, Site

NAMES = list(STRUCTURES)  # the seeded structures, in order
NO_REQUEST = "00000000-0000-0000-0000-000000000000"
# Kept by an init script: CSP violations the page reports to itself, whatever the console says.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || 'page'}:${e.lineNumber})`));
"""
# A business that writes, every field valid: the invalid cases change one field at a time.
VALID = {"Nom de votre entreprise": "Boulangerie du Fournil", "Vos prénom et nom": "Marcel Pétrin",
         "Adresse électronique": "marcel.petrin@boulangerie-exemple.fr", "Code postal de l'entreprise": "75011",
         "Votre message": "Bonjour, nous voudrions vendre nos viennoiseries en ligne. Pouvez-vous nous aider ?"}
REQUIRED = ("company_name", "contact_name", "email", "postal_code", "message")


@dataclass
class Visit:
    """A page as a visitor sees it, and what its browser said about it meanwhile."""

    page: Page
    status: int | None = None
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def csp_violations(self) -> list[str]:
        reported = await self.page.evaluate("() => window.__cspViolations || []")
        return [text for text in self.console if "Content Security Policy" in text] + reported


@asynccontextmanager
async def visitor(browser: Browser, site: Site, viewport: dict[str, int]) -> AsyncIterator[Visit]:
    context = await browser.new_context(base_url=site.url, viewport=viewport, locale="fr-FR")
    try:
        page = await context.new_page()
        await page.add_init_script(CSP_PROBE)
        visit = Visit(page)
        page.on("console", lambda message: visit.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        yield visit
    finally:
        await context.close()


async def submit(visit: Visit, button: str = "Envoyer ma demande") -> None:
    async with visit.page.expect_navigation() as navigation:
        await visit.page.get_by_role("button", name=button).click()
    visit.status = (await navigation.value).status


async def fill(page: Page, values: dict[str, str]) -> None:
    for label, value in values.items():
        await page.get_by_label(label).fill(value)


# --- the pages ---------------------------------------------------------------------------------------------------

Step = Callable[[Visit], Awaitable[None]]


async def contact_empty(visit: Visit) -> None:
    await submit(visit)
    alert = visit.page.get_by_role("alert")
    assert "informations sont à corriger" in await alert.inner_text()
    for name in REQUIRED:
        assert await visit.page.locator(f"[name={name}]").get_attribute("aria-invalid") == "true", name


async def contact_invalid(visit: Visit) -> None:
    await fill(visit.page, {**VALID, "Adresse électronique": "marcel.petrin@", "Code postal de l'entreprise": "7501",
                            "Numéro SIRET": "12345678901234"})
    await visit.page.locator("label[for^=domains-]", has_text="Cybersécurité").click()  # the DSFR box is its label
    assert await visit.page.get_by_label("Cybersécurité").is_checked()
    await submit(visit)
    invalid = await visit.page.eval_on_selector_all("[aria-invalid=true]", "(nodes) => nodes.map(n => n.name)")
    assert sorted(invalid) == ["email", "postal_code", "siret"], invalid
    assert "3 informations sont à corriger" in await visit.page.get_by_role("alert").inner_text()


@dataclass(frozen=True)
class Target:
    path: str  # {0}, {1}: the slugs of the seeded structures, in STRUCTURES' order
    status: int = 200
    then: Step | None = None  # what the visitor does once the page is open (its result is what is checked)
    who: str | None = None  # signed in first: "applicant" (a new account) or "referent" (of the first structure)


def submitting(button: str, status: int = 422) -> Step:
    """The form sent as it is (empty): its errors are the state checked."""
    async def step(visit: Visit) -> None:
        await submit(visit, button)
        assert visit.status == status, f"{visit.status} after « {button} »"
    return step


async def sign_in_browser(visit: Visit, site: Site, who: str) -> None:
    if who == "applicant":
        person = Person.unusual()
        await open_account(site.platform, person)
    elif who.startswith("dossier-"):  # an applicant whose dossier reached a status (pre-registration)
        person = await dossier_applicant(site, who.removeprefix("dossier-"))
    elif who == "submitted":  # an applicant the DGE asked for information (life in the programme)
        person = await asked_applicant(site)
    elif who == "request":  # the first structure's referent, a new request on top of their inbox
        sent = await site.platform.contact_relay.post("/api/v1/contact-requests", json=business(site.slugs[NAMES[0]]))
        assert sent.status_code == 202, sent.text
        person = site.referents[NAMES[0]]
    elif who in ("member", "members-referent"):  # a structure of their own with a member: the seeded ones stay
        person = (await members_structure(site))[who == "member"]
    else:
        person = site.referents[NAMES[0]]
    await visit.page.goto("/connexion")
    await fill(visit.page, {"Adresse électronique": person.email, "Mot de passe": person.password})
    await submit(visit, "Se connecter")
    assert visit.status == 200 and visit.page.url.endswith("/espace"), visit.page.url


# Life in the programme: an applicant with a submitted dossier the DGE asked about, made once for the module.
ASKED: dict[str, Person] = {}


async def asked_applicant(site: Site) -> Person:
    if "made" not in ASKED:
        person = Person.unusual()
        await open_account(site.platform, person)
        dossier_id = await submit_dossier(site.platform, person, f"Atelier Question {uuid4().hex[:6]}")
        dge = await dge_agent(site.platform)
        await case(site.platform, dge, dossier_id, "to_review")
        asked = await site.platform.validation.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge, json={
            "body": "Merci de joindre votre attestation URSSAF.", "requests_information": True})
        assert asked.status_code == 201, asked.text
        ASKED["made"] = person
    return ASKED["made"]


async def withdrawal_reason(visit: Visit) -> None:
    """The reason given: the confirmation page (nothing is withdrawn until its own button)."""
    await visit.page.get_by_label("Pourquoi quittez-vous le programme ?").fill("Nous arrêtons notre activité.")
    await submit(visit, "Continuer")


# The contact inbox: from the inbox, the newest request's page, then what is done there.
async def follow(visit: Visit, target) -> None:  # noqa: ANN001  # a Playwright locator
    async with visit.page.expect_navigation() as navigation:
        await target.click()
    visit.status = (await navigation.value).status


def in_newest_request(*steps: tuple[str, str], search: str | None = None, choose: int | None = None) -> Step:
    """Opens the newest request, follows (role, name) steps; `search` fills the redirect page's search first,
    `choose` picks that seeded structure's radio button before the last step."""
    async def step(visit: Visit) -> None:
        await follow(visit, visit.page.locator(".fr-card__title a").first)
        for number, (role, name) in enumerate(steps):
            if search is not None and number == len(steps) - 1:
                await visit.page.get_by_label("Nom, ville, code postal").fill(search)
                if name != "Rechercher":
                    await follow(visit, visit.page.get_by_role("button", name="Rechercher"))
                if choose is not None:
                    await visit.page.locator("label", has_text=NAMES[choose]).first.click()
            await follow(visit, visit.page.get_by_role(role, name=name))
    return step


REDIRECT = ("link", "Confier à un autre activateur")
CONFIRM = ("button", "Confirmer la réorientation")


# Once accepted: the profile, the members, the invitation's journey and the member's card.
MEMBERS: dict[str, tuple[Person, Person]] = {}


async def members_structure(site: Site) -> tuple[Person, Person]:
    """(referent, member) of a structure made once for the module: its profile and members are these pages' own."""
    if "made" not in MEMBERS:
        referent, _, _ = await own_structure(site)
        MEMBERS["made"] = (referent, await joined_member(site, referent))
    return MEMBERS["made"]


def typing(values: dict[str, str], button: str, status: int, charter: bool = False) -> Step:
    """Fields filled by name (`{uuid}` becomes a new one), the charter box ticked if asked, then the form sent."""
    async def step(visit: Visit) -> None:
        for name, value in values.items():
            await visit.page.locator(f"[name={name}]").fill(value.replace("{uuid}", uuid.uuid4().hex[:8]))
        if charter:
            await visit.page.locator("#accept_charter").set_checked(True, force=True)  # the DSFR draws the box on its label
        await submit(visit, button)
        assert visit.status == status, f"{visit.status} after « {button} »"
    return step


SAVE_PROFILE = "Enregistrer et republier ma fiche"
INVITE = "Envoyer l'invitation"
JOIN = "Créer mon compte et rejoindre la structure"
PASSWORDS = {"password": "une phrase de passe assez longue", "password_confirmation": "une phrase de passe assez longue"}

# The pre-registration (steps 3 and 4): an applicant whose dossier reached a status; the forms' error states.
async def dossier_applicant(site: Site, status: str) -> Person:
    """A new applicant whose dossier is `status`: submitted, awaiting_applicant, accepted (then published), refused."""
    person = Person.unusual()
    await journeys.open_account(site.platform, person)
    dossier_id = await journeys.submit_dossier(site.platform, person, f"Structure {person.last_name}")
    dge = await journeys.dge_agent(site.platform)
    await journeys.case(site.platform, dge, dossier_id, "to_review")
    if status == "awaiting_applicant":
        asked = await site.platform.validation.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge, json={
            "body": "Merci de joindre votre attestation URSSAF.", "requests_information": True})
        assert asked.status_code == 201, asked.text
    elif status != "submitted":
        decided = await site.platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge, json={
            "decision": status, "reason": "Votre activité ne concerne pas l'accompagnement des entreprises."})
        assert decided.status_code == 200, decided.text
    wanted = {"accepted", "published"} if status == "accepted" else {status}

    async def reached() -> bool:
        me = (await site.platform.registration.get("/api/v1/me", headers=person.headers)).json()
        return (me.get("structure") or {}).get("status") in wanted
    await eventually(reached, timeout=60, interval=0.2, what=f"dossier {status}")
    return person


async def wrong_document(visit: Visit) -> None:
    await visit.page.select_option("#kind", "extrait_immatriculation")
    await visit.page.set_input_files("#file", files=[{"name": "extrait.txt", "mimeType": "text/plain",
                                                      "buffer": b"pas un PDF"}])
    await submit(visit, "Envoyer la pièce")


async def incomplete_submission(visit: Visit) -> None:
    await visit.page.locator("label[for=accept_charter-1]").click()
    await submit(visit, "Soumettre mon dossier à la DGE")


PAGES = {
    "home": Target("/"),
    "search": Target("/activateurs"),
    "results": Target("/activateurs?domain=cybersecurite&department=75"),
    "no-match": Target("/activateurs?q=zzzzqqqq"),
    "search-error": Target("/activateurs?postal_code=00000", 422),
    "profile-0": Target("/activateurs/{0}"),
    "profile-1": Target("/activateurs/{1}"),
    "contact": Target("/activateurs/{0}/contact"),
    "contact-empty": Target("/activateurs/{0}/contact", 422, contact_empty),
    "contact-invalid": Target("/activateurs/{1}/contact", 422, contact_invalid),
    "contact-sent": Target("/activateurs/{0}/contact/envoyee"),
    "charter": Target("/charte"),
    "legal": Target("/mentions-legales"),
    "accessibility": Target("/accessibilite"),
    "personal-data": Target("/donnees-personnelles"),
    "open-data": Target("/donnees-ouvertes"),
    "site-map": Target("/plan-du-site"),
    "login": Target("/connexion"),
    "space": Target("/espace"),
    "dossier": Target("/mon-dossier"),
    "password-forgotten": Target("/mot-de-passe-oublie"),
    "verification": Target("/verification?token=x"),
    "verification-no-token": Target("/verification", 400),
    "verified": Target("/verification/confirmee"),
    "invitation": Target("/invitation?token=x"),
    "email-confirmation": Target("/email/confirmation?token=x"),
    "email-confirmation-no-token": Target("/email/confirmation", 400),
    "email-confirmed": Target("/email/confirmee"),
    "acknowledgement-invalid": Target(f"/contact-requests/{NO_REQUEST}/acknowledgement?token=x", 400),
    "acknowledged": Target(f"/contact-requests/{NO_REQUEST}/acknowledgement/confirmee"),
    "not-found": Target("/nimporte-quoi", 404),
    # The account and the signed-in person's space.
    "sign-in-errors": Target("/connexion", 422, submitting("Se connecter")),
    "sign-up": Target("/inscription"),
    "sign-up-errors": Target("/inscription", 422, submitting("Créer mon compte")),
    "signed-up": Target("/inscription/envoyee"),
    "password-forgotten-errors": Target("/mot-de-passe-oublie", 422, submitting("Recevoir un lien")),
    "new-password": Target("/mot-de-passe/nouveau?token=x"),
    "new-password-errors": Target("/mot-de-passe/nouveau?token=x", 422, submitting("Changer mon mot de passe")),
    "new-password-no-token": Target("/mot-de-passe/nouveau", 400),
    "space-applicant": Target("/espace", who="applicant"),
    "space-referent": Target("/espace", who="referent"),
    "account": Target("/espace/compte", who="applicant"),
    "account-errors": Target("/espace/compte", 422, submitting("Changer mon mot de passe"), who="applicant"),
    # Life in the programme: the thread with the DGE, the engagement, leaving, the person's data.
    "exchanges": Target("/mon-dossier/echanges", who="submitted"),
    "exchanges-errors": Target("/mon-dossier/echanges", 422, submitting("Envoyer ma réponse"), who="submitted"),
    "exchanges-none": Target("/mon-dossier/echanges", who="applicant"),
    "commitment": Target("/espace/engagement", who="referent"),
    "commitment-errors": Target("/espace/engagement", 422, submitting("Renouveler pour 24 mois"), who="referent"),
    "commitment-none": Target("/espace/engagement", who="applicant"),
    "withdrawal": Target("/espace/retrait", who="referent"),
    "withdrawal-errors": Target("/espace/retrait", 422, submitting("Continuer"), who="referent"),
    "withdrawal-confirmation": Target("/espace/retrait", then=withdrawal_reason, who="referent"),
    "withdrawal-none": Target("/espace/retrait", who="applicant"),
    "my-data": Target("/espace/donnees", who="applicant"),
    "deletion": Target("/espace/donnees/suppression", who="applicant"),
    "deletion-errors": Target("/espace/donnees/suppression", 422, submitting("Supprimer définitivement mon compte"),
                              who="applicant"),
    "account-deleted": Target("/compte-supprime"),
    "member-left": Target("/retrait-confirme"),
    # The contact inbox and the statistics.
    "inbox": Target("/espace/demandes", who="request"),
    "inbox-filtered": Target("/espace/demandes?statut=overdue", who="referent"),
    "inbox-refused": Target("/espace/demandes", 403, who="applicant"),
    "inbox-not-found": Target(f"/espace/demandes/{NO_REQUEST}", 404, who="referent"),
    "inbox-request": Target("/espace/demandes", then=in_newest_request(), who="request"),
    "inbox-acknowledged": Target("/espace/demandes", then=in_newest_request(
        ("button", "Je prends en compte cette demande")), who="request"),
    "inbox-redirect": Target("/espace/demandes", then=in_newest_request(REDIRECT), who="request"),
    "inbox-redirect-search": Target("/espace/demandes", then=in_newest_request(
        REDIRECT, ("button", "Rechercher"), search="Réunion"), who="request"),
    "inbox-redirect-errors": Target("/espace/demandes", 422, in_newest_request(REDIRECT, CONFIRM), who="request"),
    "inbox-redirect-self": Target("/espace/demandes", 409, in_newest_request(REDIRECT, CONFIRM, search="Numérique",
                                                                             choose=0), who="request"),
    "statistics": Target("/espace/statistiques", who="referent"),
    "statistics-months": Target("/espace/statistiques?du=2025-06-01&au=2026-03-31&par=month", who="referent"),
    "statistics-errors": Target("/espace/statistiques?du=2026-03-10&au=2026-03-01", 422, who="referent"),
    "statistics-refused": Target("/espace/statistiques", 403, who="applicant"),
    # Once accepted: the profile, the members, the invitation's journey and the member's card.
    "profile-edit": Target("/espace/fiche", who="members-referent"),
    "profile-errors": Target("/espace/fiche", 422, typing({"description": "", "postal_code": "7501"}, SAVE_PROFILE,
                                                          422), who="members-referent"),
    "profile-member": Target("/espace/fiche", who="member"),
    "members": Target("/espace/membres", who="members-referent"),
    "members-errors": Target("/espace/membres", 422, submitting(INVITE), who="members-referent"),
    "members-invited": Target("/espace/membres", then=typing({"first_name": "Anne", "last_name": "Martin", "email":
                                                              "anne.martin.{uuid}@exemple.fr"}, INVITE, 200),
                              who="members-referent"),
    "members-member": Target("/espace/membres", 403, who="member"),
    "invitation-errors": Target("/invitation?token=x", 422, submitting(JOIN)),
    "invitation-invalid": Target("/invitation?token=x", 400, typing({"email": "anne@exemple.fr", **PASSWORDS}, JOIN,
                                                                    400, charter=True)),
    "card": Target("/espace/carte", who="member"),
    "card-errors": Target("/espace/carte", 422, typing({"phone": "pas un numéro"}, "Enregistrer ma carte", 422),
                          who="member"),
    "card-saved": Target("/espace/carte", then=typing({"presentation": "Formatrice au numérique."},
                                                      "Enregistrer ma carte", 200), who="member"),
    "card-referent": Target("/espace/carte", 403, who="members-referent"),
    # The pre-registration: the dossier's summary, its sections, the charter, their error states, each status.
    "dossier-summary": Target("/mon-dossier", who="applicant"),
    "dossier-structure": Target("/mon-dossier/structure", who="applicant"),
    "dossier-structure-errors": Target("/mon-dossier/structure", 422, submitting("Enregistrer et continuer"),
                                       who="applicant"),
    "dossier-identification": Target("/mon-dossier/identification", who="applicant"),
    "dossier-upload-error": Target("/mon-dossier/identification", 422, wrong_document, who="applicant"),
    "dossier-address": Target("/mon-dossier/adresse", who="applicant"),
    "dossier-offer": Target("/mon-dossier/offre", who="applicant"),
    "dossier-management": Target("/mon-dossier/direction", who="applicant"),
    "dossier-referent": Target("/mon-dossier/referent", who="applicant"),
    "dossier-charter": Target("/mon-dossier/charte", who="applicant"),
    "dossier-charter-errors": Target("/mon-dossier/charte", 422, submitting("Soumettre mon dossier à la DGE"),
                                     who="applicant"),
    "dossier-incomplete": Target("/mon-dossier/charte", 422, incomplete_submission, who="applicant"),
    "dossier-submitted": Target("/mon-dossier", who="dossier-submitted"),
    "dossier-awaiting": Target("/mon-dossier", who="dossier-awaiting_applicant"),
    "dossier-accepted": Target("/mon-dossier", who="dossier-accepted"),
    "dossier-refused": Target("/mon-dossier", who="dossier-refused"),
}


async def open_target(visit: Visit, site: Site, name: str) -> None:
    target = PAGES[name]
    if target.who:
        await sign_in_browser(visit, site, target.who)
    answer = await visit.page.goto(target.path.format(*(site.slugs[s] for s in NAMES)))
    visit.status = answer.status if answer else None
    if target.then is not None:
        assert visit.status == 200, f"{name}: {visit.status} before the visitor acts"
        await target.then(visit)
    assert visit.status == target.status, f"{name}: {visit.status} instead of {target.status}"


async def assert_clean(visit: Visit) -> None:
    """No CSP violation, no script error: the DSFR's scripts ran under the strict policy."""
    assert not await visit.csp_violations(), await visit.csp_violations()
    assert not visit.errors, visit.errors


@pytest.mark.parametrize("name", PAGES)
async def test_page_passes_axe_in_french_with_a_title(site: Site, browser: Browser, name: str) -> None:
    async with visitor(browser, site, DESKTOP) as visit:
        await open_target(visit, site, name)
        page = visit.page
        assert await page.get_attribute("html", "lang") == "fr"
        title = await page.title()
        assert title.endswith(" — Activateurs France Num") and len(title) > len(" — Activateurs France Num") + 3, \
            title
        assert await page.locator("h1").count() == 1, "one h1 per page"
        await assert_accessible(page, f"{name} ({page.url})")
        await assert_clean(visit)


@pytest.mark.parametrize("name", PAGES)
async def test_page_fits_320_pixels(site: Site, browser: Browser, name: str) -> None:
    """WCAG 1.4.10 (reflow): at 320 CSS px nothing scrolls sideways; the mobile layout passes axe too."""
    async with visitor(browser, site, NARROW) as visit:
        await open_target(visit, site, name)
        await assert_fits(visit.page, name)
        await assert_accessible(visit.page, f"{name} at 320 px")
        await assert_clean(visit)


# --- keyboard only ------------------------------------------------------------------------------------------------

FOCUSED = """() => { const e = document.activeElement;
  return e ? {tag: e.tagName.toLowerCase(), name: e.name || null, id: e.id || null, type: e.type || null,
              text: (e.innerText || '').trim(), checked: e.checked === true} : null; }"""


async def focused(page: Page) -> dict:
    return await page.evaluate(FOCUSED)


async def tab_to(page: Page, wanted: Callable[[dict], bool], what: str, limit: int = 80) -> list[dict]:
    """Presses Tab until the focused element is the one wanted; returns the stops passed on the way."""
    passed = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = await focused(page)
        if now and wanted(now):
            return passed
        passed.append(now)
    raise AssertionError(f"{what} not reached with {limit} Tab presses; focus went through {passed}")


async def test_contact_journey_with_the_keyboard_only(site: Site, browser: Browser) -> None:
    async with visitor(browser, site, DESKTOP) as visit:
        page = visit.page
        await page.goto(f"/activateurs/{site.slugs[NAMES[0]]}")
        await tab_to(page, lambda e: e["tag"] == "a" and e["text"] == "Écrire à cet activateur",
                     "the « Écrire à cet activateur » link")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert page.url.endswith("/contact")

        # The form's fields, in the order they are read, each reached with Tab and filled by typing.
        await tab_to(page, lambda e: e["name"] == "company_name", "the first field")
        typed = {"company_name": "Boulangerie du Fournil", "siret": "732 829 320 00074",
                 "contact_name": "Marcel Pétrin", "email": "marcel.petrin@boulangerie-exemple.fr",
                 "phone": "01 40 00 00 00", "postal_code": "75011"}
        for number, (name, text) in enumerate(typed.items()):
            if number:
                await page.keyboard.press("Tab")
            assert (await focused(page))["name"] == name, f"Tab after the previous field should reach {name}"
            await page.keyboard.type(text)
        domains = await page.locator("input[name=domains]").count()
        for number in range(domains):
            await page.keyboard.press("Tab")
            now = await focused(page)
            assert (now["name"], now["type"], now["id"]) == ("domains", "checkbox", f"domains-{number + 1}"), now
            if now["id"] == "domains-6":  # Cybersécurité
                await page.keyboard.press("Space")
                assert (await focused(page))["checked"]
        for name, text in (("subject", "Vente en ligne"),
                           ("message", "Bonjour, nous voudrions vendre nos viennoiseries en ligne.")):
            await page.keyboard.press("Tab")
            assert (await focused(page))["name"] == name, f"Tab should reach {name}"
            await page.keyboard.type(text)
        await page.keyboard.press("Tab")  # the hidden honeypot is skipped
        now = await focused(page)
        assert (now["tag"], now["text"]) == ("button", "Envoyer ma demande"), now
        async with page.expect_navigation():
            await page.keyboard.press("Enter")

        assert page.url.endswith("/contact/envoyee"), page.url
        heading = await page.get_by_role("heading", level=1).inner_text()
        assert heading.startswith("Votre demande a été envoyée"), heading
        await assert_accessible(page)
        await assert_clean(visit)


async def test_contact_errors_with_the_keyboard_only(site: Site, browser: Browser) -> None:
    async with visitor(browser, site, DESKTOP) as visit:
        page = visit.page
        await page.goto(f"/activateurs/{site.slugs[NAMES[1]]}/contact")
        await tab_to(page, lambda e: e["tag"] == "button" and e["text"] == "Envoyer ma demande", "the send button")
        async with page.expect_navigation() as navigation:
            await page.keyboard.press("Enter")
        assert (await navigation.value).status == 422

        # What a screen reader hears first: the title, then the summary (role=alert) listing each error.
        assert (await page.title()).startswith("Erreur — ")
        summary = page.get_by_role("alert")
        assert await summary.count() == 1
        text = await summary.inner_text()
        assert "6 informations sont à corriger" in text, text
        for name in REQUIRED:
            field_ = page.locator(f"[name={name}]")
            assert await field_.get_attribute("aria-invalid") == "true", name
            assert await field_.get_attribute("required") is not None, name
        description = await page.locator("#company_name").evaluate(
            "(e) => e.getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id).innerText)"
            ".join(' ')")
        assert "Indiquez le nom de votre entreprise." in description
        domains_name = await page.locator("#domains-fieldset").evaluate(
            "(e) => e.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).innerText)"
            ".join(' ')")
        assert "Choisissez au moins un sujet." in domains_name

        # The summary's first link comes before any field; Enter on it puts the focus in the field.
        passed = await tab_to(page, lambda e: e["tag"] == "a" and e["text"] == "Entreprise",
                              "the summary's link to the first field in error")
        assert not [stop for stop in passed if stop and stop["name"]], f"fields before the summary: {passed}"
        await page.keyboard.press("Enter")
        assert (await focused(page))["name"] == "company_name"
        await page.keyboard.type("Boulangerie du Fournil")
        assert await page.input_value("#company_name") == "Boulangerie du Fournil"
        await assert_clean(visit)


async def test_skip_link_is_the_first_stop_and_reaches_the_content(site: Site, browser: Browser) -> None:
    async with visitor(browser, site, DESKTOP) as visit:
        page = visit.page
        await page.goto("/")
        await page.keyboard.press("Tab")
        stop = await focused(page)
        assert (stop["tag"], stop["text"]) == ("a", "Contenu"), stop
        assert await page.evaluate("() => document.activeElement.getBoundingClientRect().height") > 0, \
            "the skip link shows when it has the focus"
        await page.keyboard.press("Enter")
        assert (await focused(page))["id"] == "contenu"
        await page.keyboard.press("Tab")
        assert (await focused(page))["name"] == "q", "after the skip link, Tab goes to the search"


async def test_mobile_menu_opens_and_closes_with_the_keyboard(site: Site, browser: Browser) -> None:
    """At 320 px the navigation is behind « Menu » (DSFR's script, under the strict CSP)."""
    async with visitor(browser, site, NARROW) as visit:
        page = visit.page
        await page.goto("/charte")
        menu = page.get_by_role("button", name="Menu")
        await menu.focus()
        await page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        await dialog.get_by_role("link", name="Trouver un activateur").wait_for(state="visible")
        assert await menu.get_attribute("data-fr-opened") == "true"
        assert (await focused(page))["text"] == "Fermer", "the focus moves into the open menu"
        await assert_accessible(page, "the open mobile menu")
        await page.keyboard.press("Escape")
        await dialog.wait_for(state="hidden")
        assert (await focused(page))["id"] == "bouton-menu", "the focus goes back to « Menu »"
        await assert_clean(visit)


async def test_breadcrumb_opens_with_the_keyboard_at_320_pixels(site: Site, browser: Browser) -> None:
    async with visitor(browser, site, NARROW) as visit:
        page = visit.page
        await page.goto(f"/activateurs/{site.slugs[NAMES[1]]}/contact")
        button = page.locator(".fr-breadcrumb__button")  # hidden once the breadcrumb is open
        await tab_to(page, lambda e: e["text"] == "Voir le fil d’Ariane", "the breadcrumb's button")
        await page.keyboard.press("Enter")
        await page.get_by_role("link", name="Trouver un activateur").last.wait_for(state="visible")
        assert await button.get_attribute("aria-expanded") == "true"
        # The DSFR's script puts the focus on the breadcrumb's first link as it opens.
        await page.wait_for_function("() => document.activeElement.closest('.fr-breadcrumb__list') !== null")
        assert (await focused(page))["text"] == "Accueil"
        await assert_fits(page, "the open breadcrumb")
        await assert_accessible(page, "the open breadcrumb at 320 px")
        await assert_clean(visit)


async def test_acknowledgement_link_with_the_keyboard_only(site: Site, browser: Browser) -> None:
    """The structure's one-click link: the landing page, its button by keyboard, the confirmation, the link again."""
    request = business(site.slugs[NAMES[0]])
    sent = await site.platform.contact_relay.post("/api/v1/contact-requests", json=request)
    assert sent.status_code == 202, sent.text
    path = f"/contact-requests/{sent.json()['id']}/acknowledgement"
    mail = await eventually(lambda: next((m for m in site.platform.mails(site.referents[NAMES[0]].email,
                                                                          "contact_forwarded")
                                          if path in m.part("text/plain")), None),
                            timeout=60, interval=0.1, what="the structure's mail with the link")
    link = site.link(mail, path)
    async with visitor(browser, site, DESKTOP) as visit:
        page = visit.page
        await page.goto(link)
        assert request["company_name"] in await page.get_by_role("heading", level=1).inner_text()
        await assert_accessible(page, "the acknowledgement landing page")
        await tab_to(page, lambda e: e["tag"] == "button", "the button")
        assert (await focused(page))["text"] == "Je prends en compte cette demande"
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert page.url.endswith("/acknowledgement/confirmee"), page.url
        assert await page.get_by_role("heading", level=1).inner_text() == "Demande prise en compte"
        await assert_accessible(page, "the acknowledgement's confirmation")
        await page.goto(link)
        await page.get_by_role("heading", name="Déjà prise en compte").wait_for()
        assert await page.get_by_role("button", name="Je prends en compte cette demande").count() == 0
        await assert_accessible(page, "an acknowledged request's link")
        await assert_clean(visit)
    async with visitor(browser, site, NARROW) as visit:
        await visit.page.goto(link)
        await assert_fits(visit.page, "an acknowledged request's link")
        await assert_accessible(visit.page, "an acknowledged request's link at 320 px")
        await assert_clean(visit)
