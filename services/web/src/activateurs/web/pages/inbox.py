"""The activator's contact inbox: the structure's requests, one request, acknowledging it, redirecting it."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form, search_error
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
INBOX = "/espace/demandes"
PAGE_SIZE = 20
CANDIDATES = 10  # activators offered as radio buttons on the redirect page
NOTE_LIMIT = 2000
STATUSES = {"forwarded": "À prendre en compte", "acknowledged": "Prise en compte", "overdue": "En retard",
            "redirected": "Réorientée"}
STATUS_OPTIONS = tuple(STATUSES.items())


def _late(item: dict[str, Any], now: datetime) -> bool:
    """Past its 48 working hours: overdue, still waiting after the deadline, or acknowledged after it."""
    deadline = datetime.fromisoformat(item["ack_deadline"])
    if item["status"] == "overdue":
        return True
    if item["status"] == "forwarded":
        return now > deadline
    acknowledged = item.get("acknowledged_at")
    return bool(acknowledged) and datetime.fromisoformat(acknowledged) > deadline


def _with_lateness(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**item, "late": _late(item, now)}


def activators_only(request: Request, web: Web, error: ApiError, section: str, heading: str) -> Response:
    """The API said this account is no activator of a structure in the programme: a clear 403 page."""
    if error.status not in (401, 403):
        raise error
    return web.pages.render(request, "space/activators_only.html", status_code=403, section=section, heading=heading)


def _refused(request: Request, web: Web, error: ApiError) -> Response:
    return activators_only(request, web, error, "inbox", "Demandes de contact")


async def _request_or_404(request: Request, web: Web, account: Account, request_id: str) -> dict[str, Any] | Response:
    try:
        found = await web.contact_relay.inbox_item(account.headers, request_id)
    except ApiError as error:
        if error.status in (404, 422):  # another structure's request, or not an id: the same « not here »
            return web.pages.render(request, "errors/404.html", status_code=404)
        return _refused(request, web, error)
    return _with_lateness(found, datetime.now(UTC))


# --- the list ----------------------------------------------------------------------------------------------------


@router.get(INBOX, response_class=HTMLResponse)
async def inbox(request: Request, web: WebDep, account: SignedIn) -> Response:
    status = request.query_params.get("statut", "")
    status = status if status in STATUSES else ""
    raw_page = request.query_params.get("page", "1")
    page = min(max(int(raw_page), 1), 10_000) if raw_page.isdigit() else 1
    try:
        found = await web.contact_relay.inbox(account.headers, status or None, page, PAGE_SIZE)
    except ApiError as error:
        return _refused(request, web, error)
    now = datetime.now(UTC)
    items = [_with_lateness(item, now) for item in found["items"]]
    pages = max(1, math.ceil(found["total"] / PAGE_SIZE))

    def page_url(number: int) -> str:
        pairs = [("statut", status)] if status else []
        return INBOX + ("?" + urlencode([*pairs, ("page", str(number))]) if number > 1 or pairs else "")

    return web.pages.render(request, "space/inbox.html", section="inbox", items=items, total=found["total"],
                            status=status, statuses=STATUSES, status_options=STATUS_OPTIONS, page=page, pages=pages,
                            page_url=page_url)


# --- one request, and acknowledging it ---------------------------------------------------------------------------


@router.get(INBOX + "/{request_id}", response_class=HTMLResponse)
async def contact_request(request_id: str, request: Request, web: WebDep, account: SignedIn) -> Response:
    found = await _request_or_404(request, web, account, request_id)
    if isinstance(found, Response):
        return found
    return web.pages.render(request, "space/inbox_request.html", section="inbox", item=found, statuses=STATUSES,
                            conflict=None)


@router.post(INBOX + "/{request_id}/prise-en-compte", response_class=HTMLResponse)
async def acknowledge(request_id: str, request: Request, web: WebDep, account: SignedIn) -> Response:
    await posted_form(request, web)
    found = await _request_or_404(request, web, account, request_id)
    if isinstance(found, Response):
        return found
    try:
        await web.contact_relay.acknowledge_as_activator(account.headers, found["id"])
    except ApiError as error:
        if error.status != 409:
            return _refused(request, web, error)
        # Redirected meanwhile (by a colleague, or in another tab): the page shows the request as it now is.
        fresh = await _request_or_404(request, web, account, request_id)
        if isinstance(fresh, Response):
            return fresh
        return web.pages.render(request, "space/inbox_request.html", status_code=409, section="inbox", item=fresh,
                                statuses=STATUSES, conflict="acknowledge")
    return redirect(f"{INBOX}/{found['id']}", web, f"Demande prise en compte : {found['contact_name']} en est "
                                                   "informé(e) par courriel. Recontactez-le ou la dès que possible.")


# --- redirecting a request to another activator ------------------------------------------------------------------


async def _candidates(web: Web, query: str) -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    """The directory's answer to the redirect page's search: its first activators, the total, any error."""
    if not query:
        return [], 0, {}
    try:
        found = await web.directory.search({"q": query, "page": "1", "page_size": str(CANDIDATES)})
    except ApiError as error:
        if error.status not in (400, 422):
            raise
        errors = search_error(error.detail)
        return [], 0, {"q": errors.get("q") or next(iter(errors.values()))}
    return found["items"], found["total"], {}


async def _redirect_page(request: Request, web: Web, item: dict[str, Any], form: Form, status: int = 200,
                         search_errors: dict[str, str] | None = None) -> Response:
    query = form.text("q")
    candidates, total, errors = await _candidates(web, query)
    errors = {**(search_errors or {}), **errors}
    return web.pages.render(request, "space/inbox_redirect.html", status_code=422 if errors and status == 200
                            else status, section="inbox", item=item, statuses=STATUSES, form=form,
                            candidates=candidates, total=total, search_errors=errors, note_limit=NOTE_LIMIT,
                            errors={**errors, **form.errors})


@router.get(INBOX + "/{request_id}/reorienter", response_class=HTMLResponse)
async def redirect_page(request_id: str, request: Request, web: WebDep, account: SignedIn) -> Response:
    found = await _request_or_404(request, web, account, request_id)
    if isinstance(found, Response):
        return found
    query = request.query_params.get("q", "").strip()[:400]
    return await _redirect_page(request, web, found, Form({"q": query}))


def _redirection_form(posted: Any) -> Form:
    form = Form({name: str(posted.get(name) or "").strip() for name in ("activator_slug", "note", "q")})
    if not form.text("activator_slug"):
        form.errors["activator_slug"] = ("Choisissez l'activateur à qui confier la demande (cherchez-le d'abord "
                                         "par son nom, sa ville ou son code postal).")
    if len(form.text("note")) > NOTE_LIMIT:
        form.errors["note"] = f"{NOTE_LIMIT} caractères au maximum ({len(form.text('note'))} saisis)."
    return form


@router.post(INBOX + "/{request_id}/reorienter", response_class=HTMLResponse)
async def redirect_request(request_id: str, request: Request, web: WebDep, account: SignedIn) -> Response:
    form = _redirection_form(await posted_form(request, web))
    found = await _request_or_404(request, web, account, request_id)
    if isinstance(found, Response):
        return found
    if found["status"] == "redirected":
        return await _redirect_page(request, web, found, form, 409)
    if not form.valid:
        return await _redirect_page(request, web, found, form, 422)
    try:
        await web.contact_relay.redirect(account.headers, found["id"], form.text("activator_slug"),
                                         form.text("note") or None)
    except ApiError as error:
        if error.status == 409 and "structure holding it" in str(error.detail):
            form.errors["activator_slug"] = ("C'est votre propre structure : choisissez un autre activateur, qui "
                                             "prendra la demande à sa charge.")
            return await _redirect_page(request, web, found, form, 409)
        if error.status == 409:  # redirected meanwhile: the page shows it
            fresh = await _request_or_404(request, web, account, request_id)
            return fresh if isinstance(fresh, Response) else await _redirect_page(request, web, fresh, form, 409)
        if error.status == 404:
            form.errors["activator_slug"] = ("Cet activateur n'est plus dans l'annuaire (sa fiche a été retirée) : "
                                             "choisissez-en un autre.")
            return await _redirect_page(request, web, found, form, 422)
        if error.status == 422:
            form.errors["form"] = "La réorientation n'a pas pu être enregistrée : vérifiez votre choix et la note."
            return await _redirect_page(request, web, found, form, 422)
        return _refused(request, web, error)
    return redirect(INBOX, web, f"Demande de {found['company_name']} réorientée : l'activateur choisi a 48 heures "
                                "ouvrées pour la prendre en compte, et l'entreprise en est informée.")
