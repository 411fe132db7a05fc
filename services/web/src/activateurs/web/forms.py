"""Forms read from HTML posts and checked here, each problem in French beside its field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as siret_number

from activateurs.shared.contracts.vocabulary import Domain

POSTAL_CODE = re.compile(r"^\d{5}$")
PHONE = re.compile(r"^\+?[0-9 .()-]{6,30}$")


@dataclass
class Form:
    """What was typed (given back as it was when the form shows again) and what is wrong with it."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def text(self, name: str) -> str:
        return str(self.values.get(name) or "").strip()


INVALID_CHARACTER = "Ce texte contient un caractère invalide : retirez-le et recommencez."


def too_long(text: str, most: int) -> str | None:
    """« 5000 caractères au maximum (5001 saisis). » when `text` has more than `most` characters; None otherwise."""
    return f"{most} caractères au maximum ({len(text)} saisis)." if len(text) > most else None


def check_text(form: Form, name: str, most: int, required: str | None = None) -> None:
    """A free-text field: when empty, `required` beside it (its own message; None when it may stay empty); else at
    most `most` characters and no NUL character, each problem beside the field."""
    text = form.text(name)
    problem = required if not text else too_long(text, most) or (INVALID_CHARACTER if "\x00" in text else None)
    if problem:
        form.errors[name] = problem


def retry_words(seconds: int | None) -> str:
    """When to try again after a 429, in words: « dans 5 minutes »."""
    if not seconds or seconds < 90:
        return "dans une minute"
    minutes = round(seconds / 60)
    return f"dans {minutes} minutes" if minutes < 90 else f"dans {round(minutes / 60)} heures"


def email_error(address: str) -> str | None:
    """Why an address cannot be one, in French; None when it can."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return "Cette adresse électronique n'est pas valide. Exemple : nom@entreprise.fr"
    return None


CONTACT_FIELDS = ("company_name", "siret", "contact_name", "email", "phone", "postal_code", "subject", "message")
# The relay's own field names for the messages it may send back (a check added there before here).
CONTACT_LIMITS = {"company_name": 200, "contact_name": 120, "email": 254, "phone": 30, "subject": 200, "message": 5000}


def contact_form(posted: Any) -> Form:
    """The contact form of a profile: the fields of POST /api/v1/contact-requests, the honeypot aside."""
    form = Form({name: str(posted.get(name) or "") for name in CONTACT_FIELDS})
    form.values["domains"] = [value for value in posted.getlist("domains") if value in set(Domain)]
    form.values["website"] = str(posted.get("website") or "")
    required = {"company_name": "Indiquez le nom de votre entreprise.",
                "contact_name": "Indiquez le nom de la personne à contacter.",
                "email": "Indiquez une adresse électronique pour recevoir la réponse.",
                "postal_code": "Indiquez le code postal de votre entreprise.",
                "message": "Décrivez votre besoin en quelques phrases."}
    for name, message in required.items():
        if not form.text(name):
            form.errors[name] = message
    for name, limit in CONTACT_LIMITS.items():
        if name not in form.errors and (problem := too_long(form.text(name), limit)):
            form.errors[name] = problem
    for name in ("company_name", "contact_name", "subject"):
        if name not in form.errors and ("\n" in form.text(name) or "\r" in form.text(name)):
            form.errors[name] = "Ce champ tient sur une seule ligne."
    email = form.text("email")
    if email and "email" not in form.errors and (problem := email_error(email)):
        form.errors["email"] = problem
    postal_code = form.text("postal_code")
    if postal_code and not POSTAL_CODE.match(postal_code):
        form.errors["postal_code"] = "Le code postal compte 5 chiffres. Exemple : 75011"
    siret = form.text("siret").replace(" ", "")
    if siret and not siret_number.is_valid(siret):
        form.errors["siret"] = "Ce numéro SIRET n'est pas valide : il compte 14 chiffres (voir votre extrait Kbis)."
    phone = form.text("phone")
    if phone and "phone" not in form.errors and not PHONE.match(phone):
        form.errors["phone"] = "Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89"
    message = form.text("message")
    if message and "message" not in form.errors and len(message) < 10:
        form.errors["message"] = "Votre message est trop court : 10 caractères au moins."
    if not form.values["domains"]:
        form.errors["domains"] = "Choisissez au moins un sujet."
    return form


def contact_request(form: Form, slug: str) -> dict[str, Any]:
    """The body of POST /api/v1/contact-requests for a valid form."""
    body: dict[str, Any] = {name: form.text(name) or None for name in CONTACT_FIELDS}
    body["siret"] = body["siret"].replace(" ", "") if body["siret"] else None
    body.update(activator_slug=slug, domains=form.values["domains"], website=form.values["website"] or None)
    return body


def relay_errors(detail: Any) -> dict[str, str]:
    """The relay's 422 (pydantic `loc`/`msg` items), each attached to its field in French words."""
    errors: dict[str, str] = {}
    for item in detail if isinstance(detail, list) else []:
        location = item.get("loc", []) if isinstance(item, dict) else []
        name = location[-1] if location else None
        if isinstance(name, int) and len(location) > 1:
            name = location[-2]
        if isinstance(name, str):
            errors.setdefault(name, "Cette valeur n'est pas acceptée. Vérifiez-la et recommencez.")
    return errors or {"form": "Votre demande n'a pas pu être enregistrée. Vérifiez les champs et recommencez."}


SEARCH_MESSAGES = {
    "postal_code": "Ce code postal est inconnu. Vérifiez les 5 chiffres.",
    "department": "Ce département est inconnu.",
    "region": "Cette région est inconnue, ou ne correspond pas au code postal ou au département.",
    "q": "La recherche ne peut pas contenir ces caractères ; 400 caractères au maximum.",
}


def search_error(detail: Any) -> dict[str, str]:
    """The directory's 422 (« postal_code: … ») as the message beside the field it names."""
    text = detail if isinstance(detail, str) else ""
    name = text.split(":", 1)[0]
    if name == "department" and "does not match" in text:
        return {"department": "Ce département ne correspond pas au code postal saisi."}
    if name == "region" and "does not match" in text:
        return {"region": "Cette région ne correspond pas au code postal ou au département saisi."}
    return {name: SEARCH_MESSAGES[name]} if name in SEARCH_MESSAGES else {
        "form": "Cette recherche n'a pas pu être faite. Vérifiez les critères."}
