"""The applicant's thread with the DGE: its messages, an information request and its deadline, the reply form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from activateurs.shared.contracts.vocabulary import ValidationStatus

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form
from ..programme_forms import REPLY_MAX, reply_form
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
PATH = "/mon-dossier/echanges"
OPEN = (ValidationStatus.TO_REVIEW.value, ValidationStatus.AWAITING_APPLICANT.value)  # the applicant may write
# The case's status as the applicant reads it (the vocabulary's labels are the DGE's: « À instruire »).
STATUS_LABELS = {"to_review": "En cours d'instruction", "awaiting_applicant": "En attente de votre réponse",
                 "accepted": "Accepté", "refused": "Refusé", "expired": "Délai de réponse dépassé"}


async def _thread(web: Web, account: Account) -> dict[str, Any] | None:
    """The thread, or None when the account has no dossier with the DGE (never submitted, or a member)."""
    try:
        return await web.validation.thread(account.headers)
    except ApiError as error:
        if error.status not in (403, 404):
            raise
        return None


def _page(request: Request, web: Web, thread: dict[str, Any] | None, form: Form, status: int = 200) -> Response:
    open_ = thread is not None and thread["status"] in OPEN
    request_id = None  # the information request the deadline belongs to: the last one, while it waits
    if thread is not None and thread["status"] == ValidationStatus.AWAITING_APPLICANT.value:
        request_id = next((m["id"] for m in reversed(thread["messages"]) if m["requests_information"]), None)
    return web.pages.render(request, "space/exchanges.html", status_code=status, section="exchanges", thread=thread,
                            form=form, open=open_, request_id=request_id, reply_max=REPLY_MAX,
                            status_labels=STATUS_LABELS)


@router.get(PATH, response_class=HTMLResponse)
async def exchanges(request: Request, web: WebDep, account: SignedIn) -> Response:
    return _page(request, web, await _thread(web, account), Form())


@router.post(PATH, response_class=HTMLResponse)
async def reply(request: Request, web: WebDep, account: SignedIn) -> Response:
    form = reply_form(await posted_form(request, web))
    if form.valid:
        try:
            await web.validation.reply(account.headers, form.text("body"))
        except ApiError as error:
            if error.status == 409:
                form.errors["form"] = "Votre dossier est décidé : les échanges sont clos et ne reçoivent plus de réponse."
                return _page(request, web, await _thread(web, account), form, 409)
            if error.status == 422:
                form.errors["body"] = "Ce message n'est pas accepté : 10 000 caractères au maximum."
            elif error.status in (403, 404):
                return _page(request, web, None, Form(), 404)
            else:
                raise
        else:
            return redirect(PATH, web, "Votre réponse est envoyée à la DGE : votre dossier est de nouveau en cours "
                                       "d'instruction.")
    return _page(request, web, await _thread(web, account), form, 422)
