"""Shapes of a structure's information as it travels in events: the dossier snapshot and the public profile."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import EmailStr, Field

from .base import Contract
from .vocabulary import Category, DocumentKind, Domain, HeadcountBand, Service, StructureType


class Address(Contract):
    street: str
    postal_code: str
    city: str


class InterventionArea(Contract):
    departments: list[str] = Field(default_factory=list)
    national: bool = False


class StructureInfo(Contract):
    name: str
    structure_type: StructureType
    category: Category
    siret: str | None = None
    no_siret_reason: str | None = None
    created_on: date | None = None
    experience_declaration: str | None = None
    address: Address
    headcount_band: HeadcountBand
    website: str | None = None
    social_links: list[str] = Field(default_factory=list)
    description: str
    pricing: str | None = None
    domains: list[Domain]
    services: list[Service]
    intervention_area: InterventionArea = Field(default_factory=InterventionArea)
    client_references: list[str] = Field(default_factory=list)
    networks: list[str] = Field(default_factory=list)
    certifications: list[str] = Field(default_factory=list)


class Management(Contract):
    head_first_name: str
    head_last_name: str
    head_email: EmailStr
    registration_number: str | None = None


class Declarations(Contract):
    obligations_up_to_date: bool
    heads_agreement: bool
    website_legal_compliance: bool


class PersonCard(Contract):
    """A member's card (A2.6): the referent's and each member's."""

    phone: str | None = None
    presentation: str | None = None
    references: list[str] = Field(default_factory=list)
    photo_document_id: UUID | None = None


class DossierSnapshot(Contract):
    """The full dossier as frozen at submission (GET/PUT /api/v1/dossier shape)."""

    structure: StructureInfo
    management: Management
    declarations: Declarations
    referent_card: PersonCard


class MemberSnapshot(Contract):
    account_id: UUID
    email: EmailStr
    first_name: str
    last_name: str
    is_referent: bool = False
    charter_version_accepted: int | None = None
    card: PersonCard | None = None


class DocumentRef(Contract):
    id: UUID
    kind: DocumentKind
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str | None = None
    size: int | None = None


class PublicMemberCard(Contract):
    account_id: UUID
    first_name: str
    last_name: str
    presentation: str | None = None
    references: list[str] = Field(default_factory=list)
    photo_url: str | None = None
    avatar_initials: str


class RoutingData(Contract):
    """What contact-relay needs to forward requests: never shown to the public."""

    contact_emails: list[EmailStr]
    department: str
    timezone: str = "Europe/Paris"


class Profile(Contract):
    """A structure's profile: the public part, plus `routing` for contact-relay."""

    name: str
    structure_type: StructureType
    category: Category
    address: Address
    department: str
    region: str
    intervention_area: InterventionArea = Field(default_factory=InterventionArea)
    headcount_band: HeadcountBand
    website: str | None = None
    social_links: list[str] = Field(default_factory=list)
    description: str
    pricing: str | None = None
    domains: list[Domain]
    services: list[Service]
    client_references: list[str] = Field(default_factory=list)
    networks: list[str] = Field(default_factory=list)
    certifications: list[str] = Field(default_factory=list)
    members: list[PublicMemberCard] = Field(default_factory=list)
    routing: RoutingData
