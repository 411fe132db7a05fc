"""The person's data (GDPR): everything held about them as a JSON download, and the deletion of their account."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form
from ..programme_forms import DELETION_WORDS, deletion_form
from ..signed_in import SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
PATH = "/espace/donnees"
DELETION = PATH + "/suppression"


@router.get(PATH, response_class=HTMLResponse)
async def my_data(request: Request, web: WebDep, account: SignedIn) -> Response:
    return web.pages.render(request, "space/my_data.html", section="data")


@router.get(PATH + "/export")
async def export(web: WebDep, account: SignedIn) -> Response:
    """Registration's export, streamed through this origin as it comes, as a file to keep (it changes nothing)."""
    opened = await web.registration.export_stream(account.headers)
    return StreamingResponse(opened.chunks(), media_type="application/json", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-activateurs-france-num.json"',
        "Cache-Control": "no-store"})


def _deletion_page(request: Request, web: Web, form: Form, status: int = 200) -> Response:
    return web.pages.render(request, "space/deletion.html", status_code=status, section="data", form=form,
                            words=DELETION_WORDS)


@router.get(DELETION, response_class=HTMLResponse)
async def deletion_page(request: Request, web: WebDep, account: SignedIn) -> Response:
    return _deletion_page(request, web, Form())


@router.post(DELETION, response_class=HTMLResponse)
async def delete_account(request: Request, web: WebDep, account: SignedIn) -> Response:
    form = deletion_form(await posted_form(request, web))
    if not form.valid:
        return _deletion_page(request, web, form, 422)
    try:
        await web.registration.delete_me(account.headers)
    except ApiError as error:
        if error.status != 401:  # 401: deleted meanwhile (another tab): the same outcome
            raise
    answer = redirect("/compte-supprime", web)
    answer.headers.append("set-cookie", web.sessions.header(None))  # its sessions went with the account
    return answer


@router.get("/compte-supprime", response_class=HTMLResponse)
async def deleted(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "pages/left.html", title="Votre compte est supprimé", kind="account")
