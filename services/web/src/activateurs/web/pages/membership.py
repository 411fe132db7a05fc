"""The invited person's journey: the invitation's landing page and its acceptance, then the member's own card."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from ..account_forms import without_passwords
from ..clients.base import ApiError
from ..context import Web, WebDep, client_address, posted_form
from ..forms import Form
from ..member_forms import (
    CARD_LABELS,
    PHOTO_MAX_BYTES,
    acceptance_form,
    card_body,
    card_errors,
    card_form,
    card_values,
    photo_type,
)
from ..session import Session
from ..signed_in import Account, SignedIn
from .account import redirect
from .links import TOKEN_LIMIT

router = APIRouter(include_in_schema=False)
CARD = "/espace/carte"
WELCOME = ("Bienvenue : vous êtes membre de {name}. Complétez votre carte de membre, elle apparaît sur la fiche "
           "publique de la structure.")


# --- the invitation's link ------------------------------------------------------------------------------------------


async def _invitation_page(request: Request, web: Web, token: str, form: Form, status: int = 200,
                           charter_changed: bool = False) -> Response:
    return web.pages.render(request, "pages/invitation.html", status_code=status, token=token,
                            form=without_passwords(form), charter=await web.registration.charter(),
                            charter_changed=charter_changed)


def _invalid(request: Request, web: Web) -> Response:
    return web.pages.render(request, "pages/link_invalid.html", status_code=400, what="Ce lien d'invitation",
                            invitation=True)


@router.get("/invitation", response_class=HTMLResponse)
async def invitation_page(request: Request, web: WebDep) -> Response:
    token = request.query_params.get("token", "")
    if not token or len(token) > TOKEN_LIMIT:
        return _invalid(request, web)
    return await _invitation_page(request, web, token, Form())


@router.post("/invitation", response_class=HTMLResponse)
async def accept_invitation(request: Request, web: WebDep) -> Response:
    posted = await posted_form(request, web)
    token = str(posted.get("token") or "")[:TOKEN_LIMIT]
    if not token:
        return _invalid(request, web)
    form = acceptance_form(posted)
    version = str(posted.get("charter_version") or "")
    if not form.valid or not version.isdigit():
        return await _invitation_page(request, web, token, form, 422)
    try:
        await web.members.accept_invitation(token, str(form.values["password"]), int(version))
    except ApiError as error:
        detail = str(error.detail or "")
        if error.status == 400:
            return _invalid(request, web)
        if error.status == 409 and "charter version" in detail:
            form.errors["accept_charter"] = ("La charte vient de changer : lisez sa nouvelle version et acceptez-la "
                                             "pour rejoindre la structure.")
            form.values["accept_charter"] = False
            return await _invitation_page(request, web, token, form, 409, charter_changed=True)
        if error.status == 409:
            form.errors["form"] = ("Cette adresse a déjà un compte activateur : demandez à votre référent(e) d'inviter "
                                   "une autre de vos adresses." if "account" in detail else
                                   "Cette structure n'accueille plus de nouveau membre (suspendue ou sortie du "
                                   "programme).")
            return await _invitation_page(request, web, token, form, 409)
        if error.status != 422:
            raise
        form.errors["password"] = "Ce mot de passe n'est pas accepté : 12 à 256 caractères."
        return await _invitation_page(request, web, token, form, 422)
    return await _signed_in_member(request, web, form)


async def _signed_in_member(request: Request, web: Web, form: Form) -> Response:
    """The new member signed in at once with what they just chose; if the address typed is not the invited one,
    the account still exists: they sign in with the right address."""
    try:
        issued = await web.registration.sign_in(form.text("email"), str(form.values["password"]),
                                                client_address(request))
    except ApiError as error:
        if error.status not in (400, 401, 422, 429):
            raise
        return redirect(f"/connexion?suite={CARD}", web, "Votre compte de membre est créé. Connectez-vous avec "
                                                         "l'adresse qui a reçu l'invitation et votre nouveau mot "
                                                         "de passe.")
    session = Session.issued(issued)
    me = await web.registration.me(session.headers)
    answer = redirect(CARD, web, WELCOME.format(name=(me.get("structure") or {}).get("name") or "la structure"))
    answer.headers.append("set-cookie", web.sessions.header(session))
    return answer


# --- the member's card ----------------------------------------------------------------------------------------------


async def _card_page(request: Request, web: Web, account: Account, form: Form | None = None, status: int = 200,
                     card: dict | None = None) -> Response:
    if account.role != "member":
        return web.pages.render(request, "space/card.html", status_code=403, section="card", form=Form(), card={},
                                labels=CARD_LABELS, member=False)
    card = card if card is not None else await web.members.card(account.headers)
    return web.pages.render(request, "space/card.html", status_code=status, section="card", card=card,
                            form=form or card_values(card), labels=CARD_LABELS, member=True)


@router.get(CARD, response_class=HTMLResponse)
async def card_page(request: Request, web: WebDep, account: SignedIn) -> Response:
    return await _card_page(request, web, account)


async def _upload(posted: object) -> tuple[bytes | None, str, str]:
    """The photo sent with the form, read up to just past the limit (what is beyond cannot change the answer)."""
    photo = posted.get("photo")  # type: ignore[attr-defined]
    if not isinstance(photo, UploadFile) or not photo.filename:
        return None, "", ""
    content = await photo.read(PHOTO_MAX_BYTES + 1)
    return content, photo.filename, photo_type(content) or "application/octet-stream"


@router.post(CARD, response_class=HTMLResponse)
async def save_card(request: Request, web: WebDep, account: SignedIn) -> Response:
    posted = await posted_form(request, web)
    if account.role != "member":
        return await _card_page(request, web, account)
    card = await web.members.card(account.headers)
    content, filename, content_type = await _upload(posted)
    form = card_form(posted, bool(card.get("photo_document_id")), content)
    if not form.valid:
        return await _card_page(request, web, account, form, 422, card)
    photo_id = card.get("photo_document_id")
    try:
        if content:
            photo_id = (await web.members.upload_photo(account.headers, content, filename, content_type))["id"]
        await web.members.save_card(account.headers, card_body(form, photo_id))
    except ApiError as error:
        if error.status == 413:
            form.errors["photo"] = f"Cette photo est trop lourde : {PHOTO_MAX_BYTES // 1024 // 1024} Mo au maximum."
        elif error.status == 415:
            form.errors["photo"] = "Ce fichier n'est pas une image PNG ou JPEG."
        elif error.status == 422:
            form.errors.update(card_errors(error.detail))
        else:
            raise
        return await _card_page(request, web, account, form, 422, card)
    return redirect(CARD, web, "Votre carte de membre est enregistrée ; la fiche publique de la structure est "
                               "mise à jour.")
