"""The engagement: its end, its renewal by the referent, and a new charter version to accept before its deadline."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form
from ..programme_forms import charter_form
from ..rendering import french_datetime
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
PATH = "/espace/engagement"
IN_PROGRAMME = ("accepted", "published", "suspended")
OPENS_ON = re.compile(r"renewal opens on (\d{4}-\d{2}-\d{2})")


def _paragraphs(text: str) -> list[str]:
    return [block.strip() for block in text.split("\n\n") if block.strip()]


async def _page(request: Request, web: Web, account: Account, status: int = 200, renewal: Form | None = None,
                acceptance: Form | None = None) -> Response:
    charter = await web.registration.charter()
    # Asked of the programme's members only (registration mails them the same campaign).
    questionnaire = (await web.validation.running_questionnaire(account.headers)
                     if account.status in IN_PROGRAMME else None)
    accepted = account.me.get("charter_version_accepted")
    to_accept = accepted is None or int(accepted) < int(charter["version"])
    return web.pages.render(
        request, "space/engagement.html", status_code=status, section="engagement", charter=charter,
        in_programme=account.status in IN_PROGRAMME, to_accept=to_accept, questionnaire=questionnaire,
        paragraphs=_paragraphs(charter["text"]) if to_accept else [], renewal=renewal or Form(),
        acceptance=acceptance or Form())


@router.get(PATH, response_class=HTMLResponse)
async def engagement(request: Request, web: WebDep, account: SignedIn) -> Response:
    return await _page(request, web, account)


def _refusal(error: ApiError) -> str:
    """A 409 of the renewal in words: too early (and from when), a newer charter, or no engagement running."""
    detail = str(error.detail or "")
    if opens := OPENS_ON.search(detail):
        opens_on = french_datetime(f"{opens.group(1)}T12:00:00+00:00", False)
        return f"Le renouvellement ouvre le {opens_on}, peu avant la fin de l'engagement : revenez à partir de cette date."
    if "charter version" in detail:
        return "La charte a changé depuis l'ouverture de la page : lisez la nouvelle version ci-dessous et recommencez."
    return ("Votre structure n'a pas d'engagement en cours à renouveler (suspendue, arrivée à échéance ou pas "
            "encore acceptée).")


@router.post(PATH + "/renouvellement", response_class=HTMLResponse)
async def renew(request: Request, web: WebDep, account: SignedIn) -> Response:
    posted = await posted_form(request, web)
    charter = await web.registration.charter()
    form = charter_form(posted, int(charter["version"]))
    if not form.valid:
        return await _page(request, web, account, 422, renewal=form)
    try:
        renewed = await web.registration.renew_engagement(account.headers, int(charter["version"]))
    except ApiError as error:
        if error.status == 403:
            form.errors["form"] = "Seul le référent de la structure peut renouveler son engagement."
            return await _page(request, web, account, 403, renewal=form)
        if error.status != 409:
            raise
        form.errors["form"] = _refusal(error)
        return await _page(request, web, account, 409, renewal=form)
    until = french_datetime(renewed["engagement_expires_at"], False)
    return redirect(PATH, web, f"Votre engagement est renouvelé : il court désormais jusqu'au {until}.")


@router.post(PATH + "/charte", response_class=HTMLResponse)
async def accept_charter(request: Request, web: WebDep, account: SignedIn) -> Response:
    posted = await posted_form(request, web)
    charter: dict[str, Any] = await web.registration.charter()
    form = charter_form(posted, int(charter["version"]))
    if not form.valid:
        return await _page(request, web, account, 422, acceptance=form)
    try:
        await web.registration.accept_charter(account.headers, int(charter["version"]))
    except ApiError as error:
        if error.status == 403:
            form.errors["form"] = "Seuls les activateurs d'une structure du programme acceptent la charte ici."
            return await _page(request, web, account, 403, acceptance=form)
        if error.status != 409:
            raise
        form.errors["accept"] = "La charte a changé depuis l'ouverture de la page : lisez la nouvelle version."
        return await _page(request, web, account, 409, acceptance=form)
    return redirect(PATH, web, f"Vous avez accepté la version {charter['version']} de la charte : elle s'applique "
                               "à vous dès maintenant.")
