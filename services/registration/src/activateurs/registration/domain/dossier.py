"""The dossier draft (step 3) and the rules deciding what still blocks its submission (the `problems`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from stdnum.fr import siret as siret_rules

from activateurs.shared.contracts.vocabulary import (
    Category,
    DocumentKind,
    Domain,
    HeadcountBand,
    Service,
    StructureType,
)
from activateurs.shared.geography import DEPARTMENTS, department_of, region_of

from .example import EXAMPLE_DOSSIER

Short = Annotated[str, Field(max_length=200)]
Long = Annotated[str, Field(max_length=5000)]
Items = Annotated[list[Short], Field(max_length=50)]


class Draft(BaseModel):
    """Types are enforced (a wrong type or unknown code is refused at once); completeness is not."""

    model_config = ConfigDict(extra="ignore")


class AddressDraft(Draft):
    street: Short | None = None
    postal_code: Short | None = None
    city: Short | None = None


class InterventionAreaDraft(Draft):
    departments: Annotated[list[Annotated[str, Field(max_length=3)]], Field(max_length=120)] = []
    national: StrictBool = False


def _not_a_number(value: object) -> object:
    # Lax validation would read 0 as 1970-01-01: a date comes as "YYYY-MM-DD".
    if isinstance(value, int | float):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_not_a_number)]


class StructureDraft(Draft):
    name: Short | None = None
    structure_type: StructureType | None = None
    category: Category | None = None
    siret: Annotated[str, Field(max_length=30)] | None = None
    no_siret_reason: Long | None = None
    created_on: Day | None = None
    experience_declaration: Long | None = None
    address: AddressDraft = AddressDraft()
    headcount_band: HeadcountBand | None = None
    website: Short | None = None
    social_links: Items = []
    description: Long | None = None
    pricing: Long | None = None
    domains: Annotated[list[Domain], Field(max_length=6)] = []
    services: Annotated[list[Service], Field(max_length=4)] = []
    intervention_area: InterventionAreaDraft = InterventionAreaDraft()
    client_references: Items = []
    networks: Items = []
    certifications: Items = []


class ManagementDraft(Draft):
    head_first_name: Short | None = None
    head_last_name: Short | None = None
    head_email: Short | None = None
    registration_number: Short | None = None


class DeclarationsDraft(Draft):
    obligations_up_to_date: StrictBool = False
    heads_agreement: StrictBool = False
    website_legal_compliance: StrictBool = False


class CardDraft(Draft):
    phone: Annotated[str, Field(max_length=40)] | None = None
    presentation: Long | None = None
    references: Items = []
    photo_document_id: UUID | None = None


class ProfilePatch(Draft):
    """What a structure in the programme may change (A4): its publication data and the referent's card."""

    structure: dict[str, object] = {}
    referent_card: dict[str, object] = {}


PROFILE_FIELDS = frozenset({"address", "headcount_band", "website", "social_links", "description", "pricing",
                            "domains", "services", "intervention_area", "client_references", "networks",
                            "certifications"})


class DossierDraft(Draft):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DOSSIER]})

    structure: StructureDraft = StructureDraft()
    management: ManagementDraft = ManagementDraft()
    declarations: DeclarationsDraft = DeclarationsDraft()
    referent_card: CardDraft = CardDraft()


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


_PHONE = re.compile(r"^\+?[0-9 .()-]{6,25}$")


def normalise_siret(value: str) -> str:
    return re.sub(r"[\s.-]", "", value)


def months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "." in (parts.hostname or "") \
        and " " not in value.strip()


def is_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def problems(draft: DossierDraft, *, today: date, document_kinds: set[str]) -> list[Problem]:
    """Everything still missing or wrong for a submission, in the order of the form."""
    found: list[Problem] = []

    def missing(field: str, what: str) -> None:
        found.append(Problem(field, "required", f"{what} : à renseigner."))

    s = draft.structure
    for field, value, what in (("structure.name", s.name, "Nom de la structure"),
                               ("structure.structure_type", s.structure_type, "Type de structure"),
                               ("structure.category", s.category, "Catégorie (privée ou publique)"),
                               ("structure.headcount_band", s.headcount_band, "Tranche d'effectif"),
                               ("structure.description", s.description, "Description de l'activité")):
        if value is None or (isinstance(value, str) and not value.strip()):
            missing(field, what)

    # Identification: a valid SIRET (La Poste's establishments included), or the reason there is none.
    if s.siret and s.siret.strip():
        if not siret_rules.is_valid(normalise_siret(s.siret)):
            found.append(Problem("structure.siret", "invalid_siret", "Le SIRET n'est pas valide (clé de contrôle)."))
        elif DocumentKind.EXTRAIT_IMMATRICULATION not in document_kinds:
            found.append(Problem("documents", "missing_document",
                                 "Joindre un extrait d'immatriculation (Kbis, répertoire des métiers…)."))
    elif s.no_siret_reason and s.no_siret_reason.strip():
        if DocumentKind.JUSTIFICATIF_EXISTENCE not in document_kinds:
            found.append(Problem("documents", "missing_document",
                                 "Sans SIRET, joindre un justificatif d'existence et d'activité."))
    else:
        found.append(Problem("structure.siret", "required", "Indiquer le SIRET, ou la raison de son absence."))

    # More than 6 months of activity, or declared experience of more than 6 months.
    experience = bool(s.experience_declaration and s.experience_declaration.strip())
    if s.created_on is None:
        if not experience:
            missing("structure.created_on", "Date de création")
    elif s.created_on > today:
        found.append(Problem("structure.created_on", "in_future", "La date de création est dans le futur."))
    elif s.created_on > months_before(today, 6) and not experience:
        found.append(Problem("structure.experience_declaration", "required",
                             "Structure de moins de 6 mois : décrire l'expérience de plus de 6 mois dans le domaine."))

    a = s.address
    for field, value, what in (("structure.address.street", a.street, "Adresse"),
                               ("structure.address.city", a.city, "Ville")):
        if not (value and value.strip()):
            missing(field, what)
    if not (a.postal_code and a.postal_code.strip()):
        missing("structure.address.postal_code", "Code postal")
    elif department_of(a.postal_code.strip()) is None:
        found.append(Problem("structure.address.postal_code", "invalid_postal_code",
                             "Ce code postal ne correspond à aucun département français."))

    if s.website and not is_web_url(s.website):
        found.append(Problem("structure.website", "invalid_url", "L'adresse du site doit commencer par https://."))
    for index, link in enumerate(s.social_links):
        if not is_web_url(link):
            found.append(Problem(f"structure.social_links[{index}]", "invalid_url", "Lien invalide."))
    if not s.domains:
        found.append(Problem("structure.domains", "required", "Choisir au moins un domaine."))
    if not s.services:
        found.append(Problem("structure.services", "required", "Choisir au moins un type de service."))
    area = s.intervention_area
    for index, department in enumerate(area.departments):
        if department not in DEPARTMENTS:
            found.append(Problem(f"structure.intervention_area.departments[{index}]", "invalid_department",
                                 "Département inconnu."))
    if not area.national and not area.departments:
        found.append(Problem("structure.intervention_area", "required",
                             "Indiquer les départements d'intervention, ou une intervention nationale."))

    m = draft.management
    for field, value, what in (("management.head_first_name", m.head_first_name, "Prénom du dirigeant"),
                               ("management.head_last_name", m.head_last_name, "Nom du dirigeant")):
        if not (value and value.strip()):
            missing(field, what)
    if not (m.head_email and m.head_email.strip()):
        missing("management.head_email", "Adresse électronique du dirigeant")
    elif not is_email(m.head_email.strip()):
        found.append(Problem("management.head_email", "invalid_email", "Adresse électronique invalide."))

    d = draft.declarations
    for field, value, what in (
            ("declarations.obligations_up_to_date", d.obligations_up_to_date,
             "Déclarer être à jour de ses obligations sociales et fiscales"),
            ("declarations.heads_agreement", d.heads_agreement, "Déclarer l'accord des dirigeants"),
            ("declarations.website_legal_compliance", d.website_legal_compliance,
             "Déclarer que le site respecte les mentions légales et le RGPD")):
        if not value:
            found.append(Problem(field, "declaration_required", f"{what}."))

    c = draft.referent_card
    if not (c.phone and c.phone.strip()):
        missing("referent_card.phone", "Téléphone du référent")
    elif not _PHONE.match(c.phone.strip()):
        found.append(Problem("referent_card.phone", "invalid_phone", "Numéro de téléphone invalide."))
    if not (c.presentation and c.presentation.strip()):
        missing("referent_card.presentation", "Présentation du référent")
    if not [ref for ref in c.references if ref.strip()]:
        missing("referent_card.references", "Références professionnelles du référent")
    return found


def derived(draft: DossierDraft) -> dict[str, Any]:
    """What the service works out from the draft (shown beside it, never typed by the user)."""
    postal_code = (draft.structure.address.postal_code or "").strip()
    department = department_of(postal_code) if postal_code else None
    return {"department": department, "region": region_of(department) if department else None}
