"""The programme's government (DGE admins): charter versions, questionnaire campaigns, partner keys.

Each action is a form, then its confirmation page, then the API's call and a redirect with a notice; a partner key
is the exception: its page is the POST's answer itself, the only time the key is ever shown.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...agents import AdminAgent, Agent
from ...clients.base import ApiError
from ...context import Web, WebDep, posted_form
from ...forms import Form, check_text
from ...rendering import PARIS, french_datetime
from ..account import redirect
from ..statistics import parse_day
from .confirmation import confirmation_page, confirmed

router = APIRouter(include_in_schema=False)
HOME = "/administration/programme"
CHARTER = HOME + "/charte"
QUESTIONNAIRE = HOME + "/questionnaire"
KEYS = HOME + "/cles-partenaires"
TEXT_MAX = 200_000  # validation's limit for a charter's text
URL_MAX = 2_000
ORGANISATION_MAX = 200  # the directory's
FIRST_YEAR, LAST_YEAR = 2022, 2100  # validation's bounds for a campaign's year
KEY_YEARS = 3  # a partner key lasts three years at most (the directory's rule)
BAD_DATE = "Cette date n'est pas valide. Exemple : 2026-09-30 ou 30/09/2026"


def today() -> date:
    return datetime.now(PARIS).date()


def end_of_day(day: date) -> datetime:
    """The last second of `day` in Paris: a deadline « le 30 septembre » holds all that day."""
    return datetime.combine(day, time(23, 59, 59), PARIS)


def _clean(text: str) -> str:
    """A textarea's text as typed: line breaks as LF, no NUL."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def future_day(form: Form, name: str, missing: str, past: str, latest: date | None = None,
               too_late: str = "") -> date | None:
    """The day typed in `name`, after today (and not after `latest`); else its error beside the field."""
    raw = form.text(name)
    if not raw:
        form.errors[name] = missing
        return None
    day = parse_day(raw)
    if day is None:
        form.errors[name] = BAD_DATE
    elif day <= today():
        form.errors[name] = past
    elif latest is not None and day > latest:
        form.errors[name] = too_late
    else:
        return day
    return None


# --- the charter -------------------------------------------------------------------------------------------------


def charter_form(posted: Any) -> tuple[Form, date | None]:
    form = Form({"text": _clean(str(posted.get("text") or "")), "deadline": str(posted.get("deadline") or "")[:20]})
    check_text(form, "text", TEXT_MAX, "Saisissez le texte de la nouvelle version de la charte.")
    deadline = future_day(form, "deadline", "Indiquez la date avant laquelle les activateurs doivent l'accepter.",
                          "Choisissez une date à venir : les activateurs ont jusqu'à ce jour pour accepter la "
                          "nouvelle version.")
    return form, deadline


async def _charter_page(request: Request, web: Web, form: Form | None = None, status: int = 200) -> Response:
    charter = await web.registration.charter()
    form = form or Form({"text": charter["text"], "deadline": ""})
    return web.pages.render(request, "administration/programme_charter.html", status_code=status, section="admin_charter",
                            charter=charter, form=form, text_max=TEXT_MAX)


@router.get(CHARTER, response_class=HTMLResponse)
async def charter_page(request: Request, web: WebDep, agent: AdminAgent) -> Response:
    return await _charter_page(request, web)


@router.post(CHARTER, response_class=HTMLResponse)
async def publish_charter(request: Request, web: WebDep, agent: AdminAgent) -> Response:
    posted = await posted_form(request, web)
    form, deadline = charter_form(posted)
    if deadline is None or not form.valid:
        return await _charter_page(request, web, form, 422)
    text, until = form.text("text"), french_datetime(end_of_day(deadline), False)
    if not confirmed(posted):
        current = await web.registration.charter()
        return confirmation_page(
            request, web, section="admin_charter", heading="Publier une nouvelle version de la charte",
            summary=[("Version en vigueur", f"version {current['version']}"),
                     ("À accepter au plus tard le", f"{until} (jusqu'à 23 h 59, heure de Paris)"),
                     ("Texte de la nouvelle version", text)],
            action=CHARTER, fields={"text": text, "deadline": deadline.isoformat()},
            confirm_label="Publier la nouvelle version", back=CHARTER,
            warning=(f"Dès la publication, chaque activateur des structures du programme (référents et membres) "
                     f"reçoit un courriel lui demandant d'accepter cette version avant le {until}. Une structure "
                     "dont le référent ne l'a pas acceptée à cette date quitte le programme. Une version publiée "
                     "ne peut pas être retirée."))
    try:
        published = await web.programme.publish_charter(agent.headers, text, end_of_day(deadline))
    except ApiError as error:
        if error.status != 422:
            raise
        if "deadline" in str(error.detail):
            form.errors["deadline"] = "Cette date est déjà passée : choisissez une date à venir."
        else:
            form.errors["text"] = ("Ce texte n'a pas été accepté (trop long, ou des caractères invalides). "
                                   "Vérifiez-le et recommencez.")
        return await _charter_page(request, web, form, 422)
    return redirect(CHARTER, web, f"Version {published['version']} publiée : chaque activateur du programme est "
                                  f"invité par courriel à l'accepter avant le {until}.")


# --- the annual questionnaire ------------------------------------------------------------------------------------


def questionnaire_form(posted: Any) -> tuple[Form, int | None]:
    form = Form({"year": str(posted.get("year") or "")[:10], "url": str(posted.get("url") or "")})
    raw_year, url = form.text("year"), form.text("url")
    year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else None
    if not raw_year:
        form.errors["year"] = "Indiquez l'année de la campagne."
    elif year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        form.errors["year"] = f"Indiquez une année entre {FIRST_YEAR} et {LAST_YEAR}. Exemple : {today().year}"
    check_text(form, "url", URL_MAX, "Indiquez l'adresse du questionnaire.")
    parts = urlsplit(url) if "url" not in form.errors else None
    if parts is not None and (parts.scheme != "https" or not parts.hostname or "." not in parts.hostname
                              or any(character.isspace() or ord(character) < 32 for character in url)):
        form.errors["url"] = "Indiquez une adresse sécurisée, complète, commençant par https://."
    return form, year


async def _questionnaire_page(request: Request, web: Web, agent: Agent, form: Form | None = None,
                              status: int = 200) -> Response:
    running = await web.validation.running_questionnaire(agent.headers)
    form = form or Form({"year": str(today().year), "url": ""})
    return web.pages.render(request, "administration/programme_questionnaire.html", status_code=status,
                            section="questionnaire", running=running, form=form)


@router.get(QUESTIONNAIRE, response_class=HTMLResponse)
async def questionnaire_page(request: Request, web: WebDep, agent: AdminAgent) -> Response:
    return await _questionnaire_page(request, web, agent)


@router.post(QUESTIONNAIRE, response_class=HTMLResponse)
async def launch_questionnaire(request: Request, web: WebDep, agent: AdminAgent) -> Response:
    posted = await posted_form(request, web)
    form, year = questionnaire_form(posted)
    if year is None or not form.valid:
        return await _questionnaire_page(request, web, agent, form, 422)
    url = form.text("url")
    if not confirmed(posted):
        return confirmation_page(
            request, web, section="questionnaire", heading=f"Lancer le questionnaire annuel {year}",
            summary=[("Année", str(year)), ("Adresse du questionnaire", url)],
            action=QUESTIONNAIRE, fields={"year": str(year), "url": url}, confirm_label=f"Lancer la campagne {year}",
            back=QUESTIONNAIRE,
            warning=("Chaque référent et chaque membre des structures du programme reçoit un courriel avec ce lien, "
                     "et le questionnaire s'affiche dans leur espace pendant un an. Une seule campagne par année : "
                     "une fois lancée, elle ne peut être ni modifiée ni relancée."))
    try:
        await web.programme.launch_questionnaire(agent.headers, year, url)
    except ApiError as error:
        if error.status == 409:
            form.errors["year"] = (f"La campagne {year} a déjà été lancée : une seule campagne par année. "
                                   "Choisissez une autre année.")
        elif error.status == 422:
            form.errors["url"] = "Cette campagne n'a pas été acceptée : vérifiez l'année et l'adresse."
        else:
            raise
        return await _questionnaire_page(request, web, agent, form, error.status)
    return redirect(QUESTIONNAIRE, web, f"Questionnaire {year} lancé : les activateurs du programme le reçoivent "
                                        "par courriel et le retrouvent dans leur espace.")


# --- partner keys ------------------------------------------------------------------------------------------------


def key_state(key: dict[str, Any], now: datetime) -> str:
    if key.get("revoked_at"):
        return "revoked"
    return "expired" if datetime.fromisoformat(key["expires_at"]) <= now else "active"


def key_form(posted: Any) -> tuple[Form, date | None]:
    form = Form({"organisation": str(posted.get("organisation") or ""),
                 "expires": str(posted.get("expires") or "")[:20]})
    check_text(form, "organisation", ORGANISATION_MAX, "Indiquez l'organisation partenaire qui recevra la clé.")
    if "organisation" not in form.errors and any(ord(character) < 32 for character in form.text("organisation")):
        form.errors["organisation"] = "Ce champ tient sur une seule ligne."
    latest = today() + timedelta(days=365 * KEY_YEARS)
    expires = future_day(form, "expires", "Indiquez jusqu'à quand la clé sera valable.",
                         "Choisissez une date à venir : la clé cesse de fonctionner ce jour-là.", latest,
                         f"Une clé vaut {KEY_YEARS} ans au plus : choisissez une date avant le "
                         f"{french_datetime(end_of_day(latest), False)}.")
    return form, expires


async def _keys_page(request: Request, web: Web, agent: Agent, form: Form | None = None,
                     status: int = 200) -> Response:
    keys = await web.programme.partner_keys(agent.headers)
    now = datetime.now(PARIS)
    default_expiry = today() + timedelta(days=365)
    form = form or Form({"organisation": "", "expires": default_expiry.isoformat()})
    return web.pages.render(request, "administration/programme_keys.html", status_code=status,
                            section="partner_keys", keys=[{**key, "state": key_state(key, now)} for key in keys],
                            form=form, organisation_max=ORGANISATION_MAX)


@router.get(KEYS, response_class=HTMLResponse)
async def keys_page(request: Request, web: WebDep, agent: AdminAgent) -> Response:
    return await _keys_page(request, web, agent)


@router.post(KEYS, response_class=HTMLResponse)
async def issue_key(request: Request, web: WebDep, agent: AdminAgent) -> Response:
    form, expires = key_form(await posted_form(request, web))
    if expires is None or not form.valid:
        return await _keys_page(request, web, agent, form, 422)
    try:
        issued = await web.programme.issue_key(agent.headers, form.text("organisation"), end_of_day(expires))
    except ApiError as error:
        if error.status != 422:
            raise
        if "expires_at" in str(error.detail):
            form.errors["expires"] = f"Cette date n'est pas acceptée : à venir, et dans {KEY_YEARS} ans au plus."
        else:
            form.errors["organisation"] = "Ce nom n'est pas accepté : 200 caractères au plus, sur une ligne."
        return await _keys_page(request, web, agent, form, 422)
    # The key in clear, this once: the page is the POST's own answer (no URL holds it) and no cache keeps it.
    return web.pages.render(request, "administration/programme_key.html", section="partner_keys", issued=issued,
                            headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _key_id(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


@router.post(KEYS + "/{key_id}/revocation", response_class=HTMLResponse)
async def revoke_key(key_id: str, request: Request, web: WebDep, agent: AdminAgent) -> Response:
    posted = await posted_form(request, web)
    wanted = _key_id(key_id)
    keys = await web.programme.partner_keys(agent.headers)
    key = next((key for key in keys if key["id"] == wanted), None)
    if key is None:
        return web.pages.render(request, "errors/404.html", status_code=404)
    if key.get("revoked_at"):
        return redirect(KEYS, web, f"La clé de {key['organisation']} était déjà révoquée.")
    if not confirmed(posted):
        return confirmation_page(
            request, web, section="partner_keys", heading=f"Révoquer la clé de {key['organisation']}",
            summary=[("Organisation", key["organisation"]), ("Créée le", french_datetime(key["created_at"])),
                     ("Valable jusqu'au", french_datetime(key["expires_at"], False))],
            action=f"{KEYS}/{wanted}/revocation", fields={}, confirm_label="Révoquer la clé", back=KEYS,
            warning=("Dès maintenant, le partenaire ne peut plus appeler l'API avec cette clé. Une clé révoquée ne "
                     "peut pas être rétablie : il faudra en créer une nouvelle."))
    try:
        await web.programme.revoke_key(agent.headers, key["id"])
    except ApiError as error:
        if error.status != 404:
            raise
        return web.pages.render(request, "errors/404.html", status_code=404)
    return redirect(KEYS, web, f"Clé de {key['organisation']} révoquée : elle ne donne plus accès à l'API.")
