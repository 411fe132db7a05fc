"""The referent's members: the invitations and the members of the structure, and a new invitation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form, retry_words
from ..member_forms import invitation_form
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
PATH = "/espace/membres"
TAKES_MEMBERS = ("accepted", "published")
# Registration's 409 on an invitation, told apart by its words (http_members.invite), in French.
CONFLICTS = (("own address", "email", "C'est votre propre adresse : vous êtes le ou la référent(e) de la structure."),
             ("already invited", "email", "Cette personne est déjà invitée (son lien est encore valable) ou déjà "
                                          "membre de la structure."),
             ("already has an account", "email", "Cette adresse a déjà un compte activateur : une adresse ne sert "
                                                 "qu'à un compte. Invitez une autre adresse de la personne."),
             ("cannot invite", "form", "Votre structure ne peut plus inviter de membre (suspendue ou sortie du "
                                       "programme)."))


async def _page(request: Request, web: Web, account: Account, form: Form | None = None, status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    referent = account.role == "referent" and account.status in TAKES_MEMBERS
    people = await web.members.members(account.headers) if referent else []
    return web.pages.render(request, "space/members.html", status_code=status if referent else 403, headers=headers,
                            section="members", form=form or Form(), people=people, referent=referent,
                            joined=sum(1 for person in people if person["status"] == "member"))


@router.get(PATH, response_class=HTMLResponse)
async def members_page(request: Request, web: WebDep, account: SignedIn) -> Response:
    return await _page(request, web, account)


@router.post(PATH, response_class=HTMLResponse)
async def invite(request: Request, web: WebDep, account: SignedIn) -> Response:
    form = invitation_form(await posted_form(request, web))
    if account.role != "referent" or account.status not in TAKES_MEMBERS:
        return await _page(request, web, account)
    if not form.valid:
        return await _page(request, web, account, form, 422)
    try:
        await web.members.invite(account.headers, form.text("email"), form.text("first_name"), form.text("last_name"))
    except ApiError as error:
        if error.status == 409:
            name, message = next(((name, message) for words, name, message in CONFLICTS if words in str(error.detail)),
                                 ("form", "Cette invitation n'a pas pu être envoyée."))
            form.errors[name] = message
            return await _page(request, web, account, form, 409)
        if error.status == 429:
            form.errors["email"] = (f"Plusieurs courriels sont déjà partis vers cette adresse : réessayez "
                                    f"{retry_words(error.retry_after)}.")
            return await _page(request, web, account, form, 429, {"Retry-After": str(error.retry_after or 3600)})
        if error.status != 422:
            raise
        form.errors["email"] = "Cette adresse électronique n'est pas acceptée. Vérifiez-la."
        return await _page(request, web, account, form, 422)
    return redirect(PATH, web, f"Invitation envoyée à {form.text('first_name')} {form.text('last_name')} : "
                               "le lien de son courriel vaut 7 jours.")
