"""The accepted structure's profile, built from the submitted snapshot: the public part plus routing data."""

from __future__ import annotations

from pydantic import EmailStr

from activateurs.shared.contracts.dossier import MemberSnapshot, Profile, PublicMemberCard, RoutingData
from activateurs.shared.contracts.registration import DossierSubmittedData
from activateurs.shared.geography import department_of, region_of, timezone_of


def applicant(data: DossierSubmittedData) -> MemberSnapshot | None:
    """The member who submitted (the referent), if the snapshot lists them."""
    by_account = next((m for m in data.members if m.account_id == data.account_id), None)
    return by_account or next((m for m in data.members if m.is_referent), None)


def initials(first_name: str, last_name: str) -> str:
    return "".join(part[:1].upper() for part in (first_name.strip(), last_name.strip()) if part)


def place_of(postal_code: str) -> tuple[str, str]:
    """(department, region) of a submitted address; registration refuses to submit a code of no department, so
    one here is a broken message (ValueError: dead-lettered, not guessed)."""
    department = department_of(postal_code.strip())
    region = region_of(department) if department else None
    if department is None or region is None:
        raise ValueError("the submitted postal code belongs to no department")
    return department, region


def build_profile(data: DossierSubmittedData) -> Profile:
    structure = data.structure.structure
    department, region = place_of(structure.address.postal_code)
    referent = applicant(data)
    cards = []
    for member in data.members:
        card = data.structure.referent_card if member is referent and member.card is None else member.card
        cards.append(PublicMemberCard(
            account_id=member.account_id, first_name=member.first_name, last_name=member.last_name,
            presentation=card.presentation if card else None, references=card.references if card else [],
            avatar_initials=initials(member.first_name, member.last_name)))
    # Contact requests go to the referent; the head of structure only when no member is known.
    contacts: list[EmailStr] = [referent.email] if referent else [data.structure.management.head_email]
    return Profile(
        name=structure.name, structure_type=structure.structure_type, category=structure.category,
        address=structure.address, department=department, region=region,
        intervention_area=structure.intervention_area, headcount_band=structure.headcount_band,
        website=structure.website, social_links=structure.social_links, description=structure.description,
        pricing=structure.pricing, domains=structure.domains, services=structure.services,
        client_references=structure.client_references, networks=structure.networks,
        certifications=structure.certifications, members=cards,
        routing=RoutingData(contact_emails=contacts, department=department, timezone=timezone_of(department)),
    )
