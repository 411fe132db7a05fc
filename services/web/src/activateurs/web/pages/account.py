"""The account: sign-up, sign-in and sign-out, the forgotten password, and the signed-in person's own settings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..account_forms import (
    email_change_form,
    email_form,
    new_password_form,
    password_change_form,
    sign_in_form,
    sign_up_form,
    without_passwords,
)
from ..agents import HOME as ADMINISTRATION
from ..agents import is_agent
from ..clients.base import ApiError
from ..context import Web, WebDep, client_address, posted_form
from ..forms import Form, retry_words
from ..session import Session
from ..signed_in import SignedIn
from .links import invalid_link, landing, token_of

router = APIRouter(include_in_schema=False)
HOME = "/espace"


def local_path(raw: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site: no open redirect)."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and len(raw) <= 500:
        return raw
    return HOME


def redirect(path: str, web: Web, notice: str | None = None) -> RedirectResponse:
    """Post/redirect/get, with what the next page should say."""
    answer = RedirectResponse(path, status_code=303)
    if notice:
        answer.headers.append("set-cookie", web.pages.notices.say(notice))
    return answer


def _too_many(form: Form, error: ApiError, what: str) -> dict[str, str]:
    form.errors["form"] = f"Trop de {what} en peu de temps. Par sécurité, réessayez {retry_words(error.retry_after)}."
    return {"Retry-After": str(error.retry_after or 60)}


# --- sign-in and sign-out -------------------------------------------------------------------------------------------


def _sign_in_page(request: Request, web: Web, form: Form, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    return web.pages.render(request, "account/sign_in.html", status_code=status, headers=headers,
                            form=without_passwords(form), suite=local_path(request.query_params.get("suite")
                                                                           or str(form.values.get("suite") or "")))


@router.get("/connexion", response_class=HTMLResponse)
async def sign_in_page(request: Request, web: WebDep) -> Response:
    return _sign_in_page(request, web, Form())


@router.post("/connexion", response_class=HTMLResponse)
async def sign_in(request: Request, web: WebDep) -> Response:
    posted = await posted_form(request, web)
    form = sign_in_form(posted)
    form.values["suite"] = str(posted.get("suite") or "")
    if not form.valid:
        return _sign_in_page(request, web, form, 422)
    try:
        issued = await web.registration.sign_in(form.text("email"), str(form.values["password"]),
                                                client_address(request))
    except ApiError as error:
        if error.status == 429:
            return _sign_in_page(request, web, form, 429, _too_many(form, error, "tentatives de connexion"))
        if error.status not in (400, 401, 422):
            raise
        form.errors["form"] = ("Adresse électronique ou mot de passe incorrect, ou adresse pas encore vérifiée "
                               "(cherchez le courriel « Vérifiez votre adresse » dans votre messagerie).")
        return _sign_in_page(request, web, form, 401)
    session = Session.issued(issued)
    target = local_path(form.text("suite"))
    if not form.text("suite") and is_agent(session.claims):
        target = ADMINISTRATION  # the DGE's and DREETS's agents work in the back-office, not in an activator's space
    answer = redirect(target, web)
    answer.headers.append("set-cookie", web.sessions.header(session))
    return answer


@router.post("/deconnexion", response_class=HTMLResponse)
async def sign_out(request: Request, web: WebDep) -> Response:
    await posted_form(request, web)
    session = web.sessions.read(request)
    if session is not None:
        await web.registration.sign_out(session.refresh_token)
    answer = redirect("/", web, "Vous êtes déconnecté.")
    answer.headers.append("set-cookie", web.sessions.header(None))
    return answer


# --- sign-up and its verification mail ------------------------------------------------------------------------------


@router.get("/inscription", response_class=HTMLResponse)
async def sign_up_page(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "account/sign_up.html", form=Form(), canonical=web.pages.absolute("/inscription"))


@router.post("/inscription", response_class=HTMLResponse)
async def sign_up(request: Request, web: WebDep) -> Response:
    form = sign_up_form(await posted_form(request, web))
    if form.valid:
        try:
            await web.registration.create_account(form.text("email"), str(form.values["password"]),
                                                  form.text("first_name"), form.text("last_name"))
            return redirect("/inscription/envoyee", web)
        except ApiError as error:
            if error.status not in (400, 422):
                raise
            form.errors["form"] = "Votre compte n'a pas pu être créé. Vérifiez chaque champ et recommencez."
    return web.pages.render(request, "account/sign_up.html", status_code=422, form=without_passwords(form))


@router.get("/inscription/envoyee", response_class=HTMLResponse)
async def signed_up(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "account/signed_up.html", form=Form())


@router.post("/verification/renvoi", response_class=HTMLResponse)
async def resend_verification(request: Request, web: WebDep) -> Response:
    form = email_form(await posted_form(request, web))
    if not form.valid:
        return web.pages.render(request, "account/signed_up.html", status_code=422, form=form)
    await web.registration.resend_verification(form.text("email"))
    return redirect("/inscription/envoyee", web, "Si cette adresse attend sa vérification, un nouveau lien vient d'y "
                                                 "être envoyé. Il vaut 48 heures.")


# --- forgotten password ---------------------------------------------------------------------------------------------


@router.get("/mot-de-passe-oublie", response_class=HTMLResponse)
async def forgotten_page(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "account/forgotten.html", form=Form())


@router.post("/mot-de-passe-oublie", response_class=HTMLResponse)
async def forgotten(request: Request, web: WebDep) -> Response:
    form = email_form(await posted_form(request, web))
    if form.valid:
        try:
            await web.registration.request_password_reset(form.text("email"), client_address(request))
            return redirect("/mot-de-passe-oublie", web, "Si un compte utilise cette adresse, un lien pour choisir "
                                                         "un nouveau mot de passe vient d'y être envoyé. Il vaut une "
                                                         "heure et ne sert qu'une fois.")
        except ApiError as error:
            if error.status != 429:
                raise
            headers = _too_many(form, error, "demandes")
            return web.pages.render(request, "account/forgotten.html", status_code=429, headers=headers, form=form)
    return web.pages.render(request, "account/forgotten.html", status_code=422, form=form)


@router.get("/mot-de-passe/nouveau", response_class=HTMLResponse)
async def new_password_page(request: Request, web: WebDep) -> Response:
    return landing(request, web, "account/new_password.html", "Ce lien", form=Form())


@router.post("/mot-de-passe/nouveau", response_class=HTMLResponse)
async def new_password(request: Request, web: WebDep) -> Response:
    posted = await posted_form(request, web)
    token = token_of(posted.get("token"))
    form = new_password_form(posted)
    if form.valid:
        try:
            await web.registration.reset_password(token, str(form.values["password"]))
        except ApiError as error:
            if error.status == 400:
                return invalid_link(request, web, "Ce lien")
            if error.status != 422:
                raise
            form.errors["password"] = "Ce mot de passe n'est pas accepté : 12 à 256 caractères."
        else:
            answer = redirect("/connexion", web, "Votre mot de passe est changé. Connectez-vous avec le nouveau : "
                                                 "vos autres sessions ont été fermées.")
            answer.headers.append("set-cookie", web.sessions.header(None))
            return answer
    return web.pages.render(request, "account/new_password.html", status_code=422, form=without_passwords(form),
                            token=token)


# --- the signed-in person -------------------------------------------------------------------------------------------


@router.get("/espace", response_class=HTMLResponse)
async def space(request: Request, web: WebDep, account: SignedIn) -> Response:
    if is_agent(account.me):
        return RedirectResponse(ADMINISTRATION, status_code=303)
    return web.pages.render(request, "space/dashboard.html", section="dashboard")


def _account_page(request: Request, web: Web, status: int = 200, password: Form | None = None,
                  email: Form | None = None, headers: dict[str, str] | None = None) -> Response:
    return web.pages.render(request, "space/account.html", status_code=status, headers=headers, section="account",
                            password=without_passwords(password or Form()), email=without_passwords(email or Form()))


@router.get("/espace/compte", response_class=HTMLResponse)
async def account_page(request: Request, web: WebDep, account: SignedIn) -> Response:
    return _account_page(request, web)


@router.post("/espace/compte/mot-de-passe", response_class=HTMLResponse)
async def change_password(request: Request, web: WebDep, account: SignedIn) -> Response:
    form = password_change_form(await posted_form(request, web))
    if not form.valid:
        return _account_page(request, web, 422, password=form)
    try:
        await web.registration.change_password(account.headers, str(form.values["current_password"]),
                                               str(form.values["password"]))
    except ApiError as error:
        if error.status == 429:
            return _account_page(request, web, 429, password=form,
                                 headers=_too_many(form, error, "mots de passe erronés"))
        if error.status == 403:
            form.errors["current_password"] = "Ce n'est pas votre mot de passe actuel."
        elif error.status == 422:
            form.errors["password"] = "Ce mot de passe n'est pas accepté : 12 à 256 caractères."
        else:
            raise
        return _account_page(request, web, 422, password=form)
    return redirect("/espace/compte", web, "Votre mot de passe est changé. Vos autres sessions ont été fermées.")


@router.post("/espace/compte/adresse", response_class=HTMLResponse)
async def change_email(request: Request, web: WebDep, account: SignedIn) -> Response:
    form = email_change_form(await posted_form(request, web))
    if not form.valid:
        return _account_page(request, web, 422, email=form)
    try:
        await web.registration.change_email(account.headers, form.text("new_email"),
                                            str(form.values["email_password"]))
    except ApiError as error:
        if error.status == 429:
            return _account_page(request, web, 429, email=form, headers=_too_many(form, error, "tentatives"))
        if error.status == 403:
            form.errors["email_password"] = "Ce n'est pas votre mot de passe."
        elif error.status == 409:
            form.errors["new_email"] = "Cette adresse est déjà celle de votre compte ou d'un autre compte."
        elif error.status == 422:
            form.errors["new_email"] = "Cette adresse électronique n'est pas valide."
        else:
            raise
        return _account_page(request, web, 422, email=form)
    return redirect("/espace/compte", web, f"Un lien de confirmation a été envoyé à {form.text('new_email')}. "
                                           "Votre adresse change quand vous l'ouvrez (il vaut 24 heures).")
