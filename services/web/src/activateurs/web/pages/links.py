"""Landing pages of the links in emails: each GET only shows; the button's POST does the change."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..clients.base import ApiError
from ..context import WebDep, posted_form

router = APIRouter(include_in_schema=False)
TOKEN_LIMIT = 4096


def token_of(value: object) -> str:
    """A link's token as the page or its form gives it; an absurdly long one counts as none."""
    token = str(value or "")
    return token if len(token) <= TOKEN_LIMIT else ""


def _token(request: Request) -> str:
    return token_of(request.query_params.get("token"))


def invalid_link(request: Request, web: WebDep, what: str, **context: object) -> Response:
    """The page of a link that is forged, used, expired or cut short (400)."""
    return web.pages.render(request, "pages/link_invalid.html", status_code=400, what=what, **context)


def landing(request: Request, web: WebDep, template: str, what: str, **context: object) -> Response:
    """The page a mailed link opens: what the link is for and its button (a POST); 400 without a token."""
    token = _token(request)
    if not token:
        return invalid_link(request, web, what)
    return web.pages.render(request, template, token=token, **context)


def _request_id(raw: str) -> str | None:
    try:
        return str(UUID(raw))
    except ValueError:
        return None


async def _linked_request(web: WebDep, raw_id: str, token: str) -> dict | None:
    request_id = _request_id(raw_id)
    if request_id is None or not token or len(token) > 200:
        return None
    try:
        return await web.contact_relay.by_link(request_id, token)
    except ApiError as error:
        if error.status in (403, 404, 422):
            return None
        raise


@router.get("/contact-requests/{request_id}/acknowledgement", response_class=HTMLResponse)
async def acknowledgement_page(request_id: str, request: Request, web: WebDep) -> Response:
    token = _token(request)
    found = await _linked_request(web, request_id, token)
    if found is None:
        return invalid_link(request, web, "Ce lien de prise en compte")
    return web.pages.render(request, "pages/acknowledgement.html", contact=found, token=token)


@router.post("/contact-requests/{request_id}/acknowledgement", response_class=HTMLResponse)
async def acknowledge(request_id: str, request: Request, web: WebDep) -> Response:
    posted = await posted_form(request, web)
    token = str(posted.get("token") or "")
    found = await _linked_request(web, request_id, token)
    if found is None:
        return invalid_link(request, web, "Ce lien de prise en compte")
    try:
        await web.contact_relay.acknowledge(found["id"], token)
    except ApiError as error:
        if error.status != 409:
            raise
        return web.pages.render(request, "pages/acknowledgement.html", status_code=409, contact=found, token=token,
                                conflict=True)
    return RedirectResponse(f"/contact-requests/{found['id']}/acknowledgement/confirmee", status_code=303)


@router.get("/contact-requests/{request_id}/acknowledgement/confirmee", response_class=HTMLResponse)
async def acknowledged(request_id: str, request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "pages/acknowledged.html")


@router.get("/verification", response_class=HTMLResponse)
async def verification_page(request: Request, web: WebDep) -> Response:
    return landing(request, web, "pages/verification.html", "Ce lien de vérification")


async def _posted_token(request: Request, web: WebDep) -> str:
    return token_of((await posted_form(request, web)).get("token"))


@router.post("/verification", response_class=HTMLResponse)
async def verify(request: Request, web: WebDep) -> Response:
    token = await _posted_token(request, web)
    try:
        await web.registration.verify(token)
    except ApiError as error:
        if error.status not in (400, 422):
            raise
        return invalid_link(request, web, "Ce lien de vérification", resend=True)
    return RedirectResponse("/verification/confirmee", status_code=303)


@router.get("/verification/confirmee", response_class=HTMLResponse)
async def verified(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "pages/verified.html")


@router.get("/email/confirmation", response_class=HTMLResponse)
async def email_confirmation_page(request: Request, web: WebDep) -> Response:
    return landing(request, web, "pages/email_confirmation.html", "Ce lien de confirmation")


@router.post("/email/confirmation", response_class=HTMLResponse)
async def confirm_email(request: Request, web: WebDep) -> Response:
    token = await _posted_token(request, web)
    try:
        await web.registration.confirm_email_change(token)
    except ApiError as error:
        if error.status == 409:
            return web.pages.render(request, "pages/email_confirmation.html", status_code=409, token=token,
                                    taken=True)
        if error.status not in (400, 422):
            raise
        return invalid_link(request, web, "Ce lien de confirmation")
    return RedirectResponse("/email/confirmee", status_code=303)


@router.get("/email/confirmee", response_class=HTMLResponse)
async def email_confirmed(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "pages/email_confirmed.html")
