"""A business writes to an activator: the form, its errors beside each field, the confirmation."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..clients.base import ApiError
from ..context import WebDep, client_address, posted_form
from ..forms import Form, contact_form, contact_request, relay_errors, retry_words
from .public import profile_or_404

router = APIRouter(include_in_schema=False)


@router.get("/activateurs/{slug}/contact", response_class=HTMLResponse)
async def contact_page(slug: str, request: Request, web: WebDep) -> Response:
    found = await profile_or_404(web, slug)
    return web.pages.render(request, "pages/contact.html", profile=found, form=Form({"domains": []}),
                            canonical=web.pages.absolute(f"/activateurs/{slug}/contact"))


@router.post("/activateurs/{slug}/contact", response_class=HTMLResponse)
async def send_contact(slug: str, request: Request, web: WebDep) -> Response:
    posted = await posted_form(request, web)
    form = contact_form(posted)
    found = await profile_or_404(web, slug)
    status = 422
    headers: dict[str, str] | None = None
    if form.valid:
        try:
            await web.contact_relay.submit(contact_request(form, slug), client_address(request))
            return RedirectResponse(f"/activateurs/{slug}/contact/envoyee", status_code=303)
        except ApiError as error:
            if error.status == 404:
                raise HTTPException(404) from None
            if error.status == 429:
                status = 429
                headers = {"Retry-After": str(error.retry_after or 60)}
                form.errors["form"] = ("Vous avez envoyé beaucoup de demandes en peu de temps. Par sécurité, "
                                       f"réessayez {retry_words(error.retry_after)} : votre saisie est conservée.")
            elif error.status in (400, 413, 422):
                form.errors.update(relay_errors(error.detail))
            else:
                raise
    return web.pages.render(request, "pages/contact.html", status_code=status, profile=found, form=form,
                            headers=headers, canonical=web.pages.absolute(f"/activateurs/{slug}/contact"))


@router.get("/activateurs/{slug}/contact/envoyee", response_class=HTMLResponse)
async def contact_sent(slug: str, request: Request, web: WebDep) -> Response:
    found = await profile_or_404(web, slug)
    return web.pages.render(request, "pages/contact_sent.html", profile=found)
