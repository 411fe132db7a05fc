"""The account's forms (sign-up, sign-in, passwords, address), checked here as registration would, in French."""

from __future__ import annotations

from typing import Any

from .forms import Form, email_error

PASSWORD_MIN, PASSWORD_MAX = 12, 256  # registration's rule
NAME_MAX = 100


def _texts(posted: Any, names: tuple[str, ...]) -> Form:
    return Form({name: str(posted.get(name) or "") for name in names})


def _email(form: Form, name: str = "email", missing: str = "Indiquez votre adresse électronique.") -> None:
    address = form.text(name)
    if not address:
        form.errors[name] = missing
    elif len(address) > 320 or (problem := email_error(address)):
        form.errors[name] = problem if len(address) <= 320 else "320 caractères au maximum."


def _new_password(form: Form, name: str, confirmation: str) -> None:
    password = str(form.values.get(name) or "")
    if not password:
        form.errors[name] = "Choisissez un mot de passe."
    elif len(password) < PASSWORD_MIN:
        form.errors[name] = f"{PASSWORD_MIN} caractères au moins ({len(password)} saisis)."
    elif len(password) > PASSWORD_MAX:
        form.errors[name] = f"{PASSWORD_MAX} caractères au maximum."
    elif str(form.values.get(confirmation) or "") != password:
        form.errors[confirmation] = "Les deux mots de passe ne sont pas identiques."


def sign_up_form(posted: Any) -> Form:
    form = _texts(posted, ("first_name", "last_name", "email", "password", "password_confirmation"))
    for name, missing in (("first_name", "Indiquez votre prénom."), ("last_name", "Indiquez votre nom.")):
        if not form.text(name):
            form.errors[name] = missing
        elif len(form.text(name)) > NAME_MAX:
            form.errors[name] = f"{NAME_MAX} caractères au maximum."
    _email(form)
    _new_password(form, "password", "password_confirmation")
    return form


def sign_in_form(posted: Any) -> Form:
    form = _texts(posted, ("email", "password"))
    _email(form)
    if not form.values["password"]:
        form.errors["password"] = "Indiquez votre mot de passe."
    return form


def email_form(posted: Any) -> Form:
    form = _texts(posted, ("email",))
    _email(form)
    return form


def new_password_form(posted: Any) -> Form:
    form = _texts(posted, ("password", "password_confirmation"))
    _new_password(form, "password", "password_confirmation")
    return form


def password_change_form(posted: Any) -> Form:
    form = _texts(posted, ("current_password", "password", "password_confirmation"))
    if not form.values["current_password"]:
        form.errors["current_password"] = "Indiquez votre mot de passe actuel."
    _new_password(form, "password", "password_confirmation")
    return form


def email_change_form(posted: Any) -> Form:
    form = _texts(posted, ("new_email", "email_password"))
    _email(form, "new_email", "Indiquez la nouvelle adresse électronique.")
    if not form.values["email_password"]:
        form.errors["email_password"] = "Indiquez votre mot de passe pour confirmer que c'est bien vous."
    return form


def without_passwords(form: Form) -> Form:
    """The form as it shows again: what was typed, but never a password."""
    return Form({name: ("" if "password" in name else value) for name, value in form.values.items()}, form.errors)
