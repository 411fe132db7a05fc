"""Leaving the programme: a member leaves their structure, or the referent withdraws it; a confirmation page first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form
from ..programme_forms import REASON_MAX, withdrawal_form
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
PATH = "/espace/retrait"
IN_PROGRAMME = ("accepted", "published", "suspended")


def scope_of(account: Account) -> str | None:
    """What this person can withdraw: `member` (themselves), `structure` (the referent's), or nothing."""
    if account.role == "member":
        return "member"
    if account.role == "referent" and account.status in IN_PROGRAMME:
        return "structure"
    return None


def _page(request: Request, web: Web, account: Account, form: Form, status: int = 200,
          template: str = "space/withdrawal.html") -> Response:
    return web.pages.render(request, template, status_code=status, section="withdrawal", form=form,
                            scope=scope_of(account), reason_max=REASON_MAX)


@router.get(PATH, response_class=HTMLResponse)
async def withdrawal_page(request: Request, web: WebDep, account: SignedIn) -> Response:
    return _page(request, web, account, Form())


@router.post(PATH, response_class=HTMLResponse)
async def withdrawal_check(request: Request, web: WebDep, account: SignedIn) -> Response:
    """The reason given: the page says what will happen, and only its own button withdraws."""
    form = withdrawal_form(await posted_form(request, web))
    if not form.valid or scope_of(account) is None:
        return _page(request, web, account, form, 422)
    return _page(request, web, account, form, template="space/withdrawal_confirm.html")


@router.post(PATH + "/confirmation", response_class=HTMLResponse)
async def withdraw(request: Request, web: WebDep, account: SignedIn) -> Response:
    form = withdrawal_form(await posted_form(request, web))
    scope = scope_of(account)
    if not form.valid or scope is None:
        return _page(request, web, account, form, 422)
    try:
        await web.registration.withdraw(account.headers, form.text("reason"), scope)
    except ApiError as error:
        if error.status == 409:
            form.errors["form"] = "Votre structure n'est plus dans le programme : il n'y a plus rien à retirer."
            return _page(request, web, account, form, 409)
        if error.status == 403:
            form.errors["form"] = "Seul le référent peut retirer la structure du programme."
            return _page(request, web, account, form, 403)
        raise
    if scope == "member":  # the member's account is deleted with their withdrawal: the session ends here
        answer = redirect("/retrait-confirme", web)
        answer.headers.append("set-cookie", web.sessions.header(None))
        return answer
    return redirect("/espace", web, "Votre structure a quitté le programme : sa fiche n'est plus publiée. Un "
                                    "courriel vous le confirme.")


@router.get("/retrait-confirme", response_class=HTMLResponse)
async def withdrawn(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "pages/left.html", title="Vous avez quitté la structure", kind="member")
