"""The public profile's form (what PATCH /api/v1/profile may change), read from a post, compared with before."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from activateurs.shared.contracts.vocabulary import Domain, HeadcountBand, Service
from activateurs.shared.geography import DEPARTMENTS, department_of

from .forms import PHONE, POSTAL_CODE, Form

LONG, SHORT, ITEMS = 5000, 200, 50
LINE_LISTS = ("social_links", "client_references", "networks", "certifications", "card_references")
TEXTS = ("street", "postal_code", "city", "headcount_band", "website", "description", "pricing", "departments",
         "card_phone", "card_presentation")
# Each field of the form in its French words, in the order of the page (the summary and « what changed » use it).
LABELS = {
    "description": "Description de l'activité", "pricing": "Tarifs", "domains": "Domaines d'intervention",
    "services": "Types de service", "headcount_band": "Tranche d'effectif", "street": "Adresse",
    "postal_code": "Code postal", "city": "Ville", "departments": "Départements d'intervention",
    "national": "Intervention nationale", "website": "Site internet", "social_links": "Réseaux sociaux",
    "client_references": "Références clients", "networks": "Réseaux", "certifications": "Certifications",
    "card_phone": "Votre téléphone", "card_presentation": "Votre présentation", "card_references": "Vos références",
}
DEPARTMENT_SPLIT = re.compile(r"[\s,;]+")
# Where registration's errors point (structure.address.postal_code…) → the field of this form.
PROBLEM_FIELDS = {"structure.address.street": "street", "structure.address.postal_code": "postal_code",
                  "structure.address.city": "city", "structure.intervention_area": "departments",
                  "referent_card.phone": "card_phone", "referent_card.presentation": "card_presentation",
                  "referent_card.references": "card_references"}


def _web_url(value: str) -> bool:
    """As registration checks a link: http(s), a host with a dot, no space."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and "." in (parts.hostname or "") and " " not in value


def _lines(raw: object) -> list[str]:
    return [line.strip() for line in str(raw or "").splitlines() if line.strip()]


def from_dossier(dossier: dict[str, Any]) -> Form:
    """The form filled with the structure's current profile (GET /api/v1/dossier)."""
    s, card = dossier.get("structure") or {}, dossier.get("referent_card") or {}
    address, area = s.get("address") or {}, s.get("intervention_area") or {}
    return Form({
        "description": s.get("description") or "", "pricing": s.get("pricing") or "",
        "domains": list(s.get("domains") or []), "services": list(s.get("services") or []),
        "headcount_band": s.get("headcount_band") or "", "street": address.get("street") or "",
        "postal_code": address.get("postal_code") or "", "city": address.get("city") or "",
        "departments": ", ".join(area.get("departments") or []), "national": bool(area.get("national")),
        "website": s.get("website") or "", "social_links": list(s.get("social_links") or []),
        "client_references": list(s.get("client_references") or []), "networks": list(s.get("networks") or []),
        "certifications": list(s.get("certifications") or []), "card_phone": card.get("phone") or "",
        "card_presentation": card.get("presentation") or "", "card_references": list(card.get("references") or []),
    })


def profile_form(posted: Any) -> Form:
    values: dict[str, Any] = {name: str(posted.get(name) or "").strip() for name in TEXTS}
    values.update({name: _lines(posted.get(name)) for name in LINE_LISTS})
    values["domains"] = [code for code in posted.getlist("domains") if code in set(Domain)]
    values["services"] = [code for code in posted.getlist("services") if code in set(Service)]
    values["national"] = posted.get("national") == "oui"
    values["departments"] = ", ".join(code.upper() for code in DEPARTMENT_SPLIT.split(values["departments"]) if code)
    form = Form(values)
    for name, missing in (("description", "Décrivez l'activité de votre structure."),
                          ("street", "Indiquez l'adresse."), ("postal_code", "Indiquez le code postal."),
                          ("city", "Indiquez la ville.")):
        if not form.text(name):
            form.errors[name] = missing
    for name in ("description", "pricing", "card_presentation"):
        if len(form.text(name)) > LONG:
            form.errors[name] = f"{LONG} caractères au maximum ({len(form.text(name))} saisis)."
    for name in ("street", "city", "website"):
        if len(form.text(name)) > SHORT:
            form.errors[name] = f"{SHORT} caractères au maximum."
    for name in LINE_LISTS:
        if len(values[name]) > ITEMS:
            form.errors[name] = f"{ITEMS} lignes au maximum."
        elif any(len(line) > SHORT for line in values[name]):
            form.errors[name] = f"Chaque ligne compte {SHORT} caractères au maximum."
    if form.text("postal_code") and not POSTAL_CODE.match(form.text("postal_code")):
        form.errors["postal_code"] = "Le code postal compte 5 chiffres. Exemple : 75011"
    elif form.text("postal_code") and department_of(form.text("postal_code")) is None:
        form.errors["postal_code"] = "Ce code postal ne correspond à aucun département français."
    unknown = [code for code in DEPARTMENT_SPLIT.split(form.text("departments")) if code and code not in DEPARTMENTS]
    if unknown:
        form.errors["departments"] = f"Département inconnu : {', '.join(unknown[:5])}. Exemple : 75, 92, 2A, 974"
    if form.text("headcount_band") not in {"", *HeadcountBand}:
        form.errors["headcount_band"] = "Choisissez une tranche d'effectif de la liste."
    elif not form.text("headcount_band"):
        form.errors["headcount_band"] = "Choisissez la tranche d'effectif."
    website = form.text("website")
    if website and not _web_url(website):
        form.errors["website"] = "L'adresse du site commence par https:// . Exemple : https://www.exemple.fr"
    if any(not _web_url(link) for link in values["social_links"]):
        form.errors["social_links"] = "Chaque lien commence par https:// . Exemple : https://www.linkedin.com/company/…"
    if not values["domains"]:
        form.errors["domains"] = "Choisissez au moins un domaine."
    if not values["services"]:
        form.errors["services"] = "Choisissez au moins un type de service."
    if not values["national"] and not form.text("departments") and "departments" not in form.errors:
        form.errors["departments"] = "Indiquez vos départements d'intervention, ou cochez l'intervention nationale."
    phone = form.text("card_phone")
    if phone and not PHONE.match(phone):
        form.errors["card_phone"] = "Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89"
    return form


def profile_patch(form: Form) -> dict[str, Any]:
    """The body of PATCH /api/v1/profile for a valid form."""
    v = form.values
    return {"structure": {
        "description": v["description"], "pricing": v["pricing"] or None, "domains": v["domains"],
        "services": v["services"], "headcount_band": v["headcount_band"],
        "address": {"street": v["street"], "postal_code": v["postal_code"], "city": v["city"]},
        "intervention_area": {"departments": [code for code in DEPARTMENT_SPLIT.split(v["departments"]) if code],
                              "national": v["national"]},
        "website": v["website"] or None, "social_links": v["social_links"],
        "client_references": v["client_references"], "networks": v["networks"],
        "certifications": v["certifications"]},
        "referent_card": {"phone": v["card_phone"] or None, "presentation": v["card_presentation"] or None,
                          "references": v["card_references"]}}


def _same(before: Any, after: Any) -> bool:
    # Checkboxes come back in the page's order, stored lists in the order they were chosen.
    if isinstance(before, list) and isinstance(after, list):
        return sorted(before) == sorted(after)
    return before == after


def changed_fields(before: Form, after: Form) -> list[str]:
    """The French labels of what the person changed, in the order of the page."""
    return [label for name, label in LABELS.items() if not _same(before.values.get(name), after.values.get(name))]


def profile_errors(detail: Any) -> dict[str, str]:
    """Registration's 422 on a profile (pydantic's `loc` items when it has them) beside this form's fields."""
    errors: dict[str, str] = {}
    for item in detail if isinstance(detail, list) else []:
        location = [part for part in (item.get("loc") or []) if isinstance(part, str)] if isinstance(item, dict) \
            else []
        name = PROBLEM_FIELDS.get(".".join(location[-3:]), location[-1] if location else "")
        errors.setdefault(name if name in LABELS else "form", "Cette valeur n'est pas acceptée. Vérifiez-la.")
    return errors or {"form": "La fiche n'a pas pu être enregistrée. Vérifiez les champs et recommencez."}
