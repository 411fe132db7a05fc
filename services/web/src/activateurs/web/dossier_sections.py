"""The dossier's sections (step 3): their fields, read from a post, merged into the draft, and the API's problems
put beside them."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from activateurs.shared.contracts.vocabulary import (
    Category,
    DocumentKind,
    Domain,
    HeadcountBand,
    LabelledEnum,
    Service,
    StructureType,
)

from .forms import Form

SHORT, LONG, LINES = 200, 5000, 50  # registration's draft limits (Short, Long, Items)
INDEX = re.compile(r"\[\d+\]")
EARLIEST = date(1800, 1, 1).isoformat()


@dataclass(frozen=True)
class Field:
    name: str  # the form field's name and id
    path: tuple[str, ...]  # where it lives in the draft
    label: str
    kind: str  # text, email, tel, date, textarea, lines, select, codes, departments, flag
    required: bool = False
    hint: str | None = None
    maxlength: int = SHORT
    options: type[LabelledEnum] | None = None
    autocomplete: str | None = None


@dataclass(frozen=True)
class Section:
    slug: str  # /mon-dossier/{slug}
    title: str
    intro: str
    fields: tuple[Field, ...]

    @property
    def labels(self) -> dict[str, tuple[str, str]]:
        """name → (the id the summary links to, the label), in the page's order."""
        labels = {item.name: (_anchor(item), item.label) for item in self.fields}
        if self.slug == "identification":
            labels["file"] = ("file", "Pièces justificatives")
        if self.slug == "referent":
            labels["photo"] = ("photo", "Photo")
        return labels


def _anchor(item: Field) -> str:
    # A group of boxes has no element with its name as id: the summary links to its first box.
    return f"{item.name}-1" if item.kind in ("codes", "departments", "flag") else item.name


def _s(*path: str) -> tuple[str, ...]:
    return ("structure", *path)


SECTIONS: tuple[Section, ...] = (
    Section("structure", "Identité de la structure", "Qui vous êtes : le nom, la forme et l'activité de la structure.", (
        Field("name", _s("name"), "Nom de la structure", "text", True, autocomplete="organization"),
        Field("structure_type", _s("structure_type"), "Type de structure", "select", True, options=StructureType),
        Field("category", _s("category"), "Catégorie", "select", True, "Privée ou publique.", options=Category),
        Field("headcount_band", _s("headcount_band"), "Tranche d'effectif", "select", True, options=HeadcountBand),
        Field("created_on", _s("created_on"), "Date de création", "date", True,
              "Plus de 6 mois d'activité sont demandés ; sinon, décrivez votre expérience "
              "ci-dessous."),
        Field("experience_declaration", _s("experience_declaration"), "Expérience dans le domaine", "textarea",
              hint="Seulement pour une structure de moins de 6 mois : votre expérience de plus de 6 mois.",
              maxlength=LONG),
        Field("description", _s("description"), "Description de l'activité", "textarea", True,
              "Ce que vous faites pour les TPE et PME : elle paraît sur votre fiche.", maxlength=LONG),
        Field("website", _s("website"), "Site internet", "text", hint="Exemple : https://www.exemple.fr",
              autocomplete="url"),
        Field("social_links", _s("social_links"), "Réseaux sociaux", "lines",
              hint="Un lien par ligne, commençant par https://"),
    )),
    Section("identification", "Identification et pièces justificatives",
            "Le SIRET de la structure et son extrait d'immatriculation ; sans SIRET, la raison et un justificatif "
            "d'existence et d'activité.", (
        Field("siret", _s("siret"), "Numéro SIRET", "text", hint="14 chiffres, sur l'extrait Kbis ou l'avis "
              "de situation au répertoire SIRENE. Laissez vide si la structure n'en a pas.", maxlength=30),
        Field("no_siret_reason", _s("no_siret_reason"), "Raison de l'absence de SIRET", "textarea",
              hint="Seulement si la structure n'a pas de SIRET.", maxlength=LONG),
    )),
    Section("adresse", "Adresse et zone d'intervention",
            "Où se trouve la structure et où elle intervient auprès des entreprises.", (
        Field("street", _s("address", "street"), "Adresse", "text", True, "Numéro et voie.",
              autocomplete="street-address"),
        Field("postal_code", _s("address", "postal_code"), "Code postal", "text", True, "5 chiffres. Exemple : 75011",
              maxlength=10, autocomplete="postal-code"),
        Field("city", _s("address", "city"), "Ville", "text", True, autocomplete="address-level2"),
        Field("national", _s("intervention_area", "national"), "La structure intervient dans toute la France",
              "flag"),
        Field("departments", _s("intervention_area", "departments"), "Départements d'intervention", "departments",
              hint="Cochez chaque département où vous intervenez, sauf intervention nationale."),
    )),
    Section("offre", "Offre et tarifs", "Ce que vous proposez, à quel prix, et qui peut en témoigner.", (
        Field("domains", _s("domains"), "Domaines d'accompagnement", "codes", True, "Un au moins.", options=Domain),
        Field("services", _s("services"), "Types de service", "codes", True, "Un au moins.", options=Service),
        Field("pricing", _s("pricing"), "Tarifs", "textarea", hint="Exemple : diagnostic offert, puis 600 € HT par "
              "jour.", maxlength=LONG),
        Field("client_references", _s("client_references"), "Références clients", "lines", hint="Une par ligne."),
        Field("networks", _s("networks"), "Réseaux dont vous êtes membre", "lines", hint="Un par ligne."),
        Field("certifications", _s("certifications"), "Certifications et labels", "lines", hint="Un par ligne."),
    )),
    Section("direction", "Direction et déclarations",
            "Le dirigeant de la structure, et les déclarations sur l'honneur que demande la charte.", (
        Field("head_first_name", ("management", "head_first_name"), "Prénom du dirigeant", "text", True),
        Field("head_last_name", ("management", "head_last_name"), "Nom du dirigeant", "text", True),
        Field("head_email", ("management", "head_email"), "Adresse électronique du dirigeant", "email", True,
              "Format attendu : nom@domaine.fr"),
        Field("registration_number", ("management", "registration_number"), "Numéro d'immatriculation", "text",
              hint="RCS, répertoire des métiers… s'il diffère du SIRET."),
        Field("obligations_up_to_date", ("declarations", "obligations_up_to_date"),
              "Je déclare sur l'honneur que la structure est à jour de ses obligations sociales et fiscales", "flag",
              True),
        Field("heads_agreement", ("declarations", "heads_agreement"),
              "Je déclare que les dirigeants de la structure ont donné leur accord à cette candidature", "flag", True),
        Field("website_legal_compliance", ("declarations", "website_legal_compliance"),
              "Je déclare que le site de la structure respecte les mentions légales et le RGPD", "flag", True),
    )),
    Section("referent", "Fiche du référent",
            "Vous êtes le référent de la structure : votre fiche paraît sur la fiche publique de l'activateur.", (
        Field("phone", ("referent_card", "phone"), "Téléphone", "tel", True, "Exemple : 01 23 45 67 89",
              maxlength=40, autocomplete="tel"),
        Field("presentation", ("referent_card", "presentation"), "Présentation", "textarea", True,
              "Votre parcours et ce que vous apportez aux entreprises.", maxlength=LONG),
        Field("references", ("referent_card", "references"), "Références professionnelles", "lines", True,
              "Une par ligne : une mission, une entreprise accompagnée…"),
    )),
)
BY_SLUG = {section.slug: section for section in SECTIONS}
# Problems registration names by a path no field has: the field that answers them.
OTHER_PATHS = {"structure.intervention_area": ("adresse", "departments"), "documents": ("identification", "file"),
               "referent_card.photo_document_id": ("referent", "photo")}
PATHS = {".".join(item.path): (section.slug, item.name) for section in SECTIONS for item in section.fields} \
    | OTHER_PATHS
UPLOAD_KINDS = tuple((kind.value, kind.label) for kind in DocumentKind if kind is not DocumentKind.PHOTO)
KIND_LABELS = {kind.value: kind.label for kind in DocumentKind}


def _get(draft: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = draft
    for key in path:
        value = (value or {}).get(key)
    return value


def values_of(section: Section, draft: dict[str, Any]) -> dict[str, Any]:
    """The section's fields as the form shows them, from the saved draft."""
    values: dict[str, Any] = {}
    for item in section.fields:
        value = _get(draft, item.path)
        if item.kind == "lines":
            values[item.name] = "\n".join(value or [])
        elif item.kind in ("codes", "departments"):
            values[item.name] = list(value or [])
        elif item.kind == "flag":
            values[item.name] = bool(value)
        else:
            values[item.name] = "" if value is None else str(value)
    return values


def _day(text: str) -> str | None:
    """YYYY-MM-DD from what a date field sends (ISO) or what a person types (JJ/MM/AAAA)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def read_section(section: Section, posted: Any, departments: set[str]) -> tuple[Form, dict[tuple[str, ...], Any]]:
    """What was typed (the form) and, when every value has the right shape, each path's new value."""
    form = Form()
    changes: dict[tuple[str, ...], Any] = {}
    for item in section.fields:
        if item.kind in ("codes", "departments"):
            allowed = departments if item.kind == "departments" else {code.value for code in item.options or ()}
            chosen = [code for code in dict.fromkeys(posted.getlist(item.name)) if code in allowed]
            form.values[item.name] = changes[item.path] = chosen
            continue
        if item.kind == "flag":
            form.values[item.name] = changes[item.path] = posted.get(item.name) == "true"
            continue
        raw = str(posted.get(item.name) or "")
        form.values[item.name] = raw
        text = raw.strip()
        if item.kind == "lines":
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            too_long = next((line for line in lines if len(line) > item.maxlength), None)
            if len(lines) > LINES:
                form.errors[item.name] = f"{LINES} lignes au maximum ({len(lines)} saisies)."
            elif too_long is not None:
                form.errors[item.name] = f"{item.maxlength} caractères au maximum par ligne."
            changes[item.path] = lines
        elif len(text) > item.maxlength:
            form.errors[item.name] = f"{item.maxlength} caractères au maximum ({len(text)} saisis)."
        elif item.kind == "date" and text:
            day = _day(text)
            if day is None or day < EARLIEST:
                form.errors[item.name] = "Cette date n'est pas valide. Exemple : 01/03/2015"
            changes[item.path] = day
        elif item.kind == "select" and text and text not in {code.value for code in item.options or ()}:
            form.errors[item.name] = "Choisissez une valeur de la liste."
        else:
            changes[item.path] = text or None
    return form, changes


def merged(draft: dict[str, Any], changes: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """The whole draft with the section's new values in it (the API saves the draft whole)."""
    result = copy.deepcopy(draft)
    for path, value in changes.items():
        place = result
        for key in path[:-1]:
            if not isinstance(place.get(key), dict):
                place[key] = {}
            place = place[key]
        place[path[-1]] = value
    return result


def placed(problems: list[dict[str, str]]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Each problem beside its field: {section slug: {field name: message}}, and the messages no field answers."""
    by_section: dict[str, dict[str, str]] = {section.slug: {} for section in SECTIONS}
    unplaced: list[str] = []
    for problem in problems:
        where = PATHS.get(INDEX.sub("", problem.get("field", "")))
        if where is None:
            unplaced.append(problem.get("message") or "Une information est à corriger.")
        else:
            by_section[where[0]].setdefault(where[1], problem.get("message") or "À corriger.")
    return by_section, unplaced
