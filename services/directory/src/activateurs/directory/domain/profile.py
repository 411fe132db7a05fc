"""The public face of a profile: what the page, the search and the exports may show, and nothing else."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from activateurs.shared.contracts.dossier import Profile
from activateurs.shared.contracts.vocabulary import Domain, Service, StructureType

from .geography import Geography

# Built field by field from an allowlist: a field added to Profile later (routing data, say)
# stays private until someone decides to show it here.


def public_profile(structure_id: UUID, slug: str, url: str, profile: Profile, geography: Geography,
                   removed_members: set[str]) -> dict[str, Any]:
    department = profile.department
    region = profile.region
    return {
        "structure_id": str(structure_id),
        "slug": slug,
        "url": url,
        "name": profile.name,
        "structure_type": profile.structure_type.value,
        "structure_type_label": profile.structure_type.label,
        "category": profile.category.value,
        "address": {"street": profile.address.street, "postal_code": profile.address.postal_code,
                    "city": profile.address.city},
        "city": profile.address.city,
        "postal_code": profile.address.postal_code,
        "department": department,
        "department_name": geography.department_name(department),
        "region": region,
        "region_name": geography.region_name(region),
        "intervention_area": {"departments": list(profile.intervention_area.departments),
                              "national": profile.intervention_area.national},
        "headcount_band": profile.headcount_band.value,
        "website": profile.website,
        "social_links": list(profile.social_links),
        "description": profile.description,
        "pricing": profile.pricing,
        "domains": [domain.value for domain in profile.domains],
        "services": [service.value for service in profile.services],
        "client_references": list(profile.client_references),
        "networks": list(profile.networks),
        "certifications": list(profile.certifications),
        "members": [
            {"first_name": card.first_name, "last_name": card.last_name, "presentation": card.presentation,
             "references": list(card.references), "photo_url": card.photo_url,
             "avatar_initials": card.avatar_initials}
            for card in profile.members if str(card.account_id) not in removed_members
        ],
    }


SEARCH_ITEM_FIELDS = ("structure_id", "slug", "url", "name", "structure_type", "structure_type_label", "category",
                      "city", "postal_code", "department", "department_name", "region", "region_name",
                      "domains", "services", "intervention_area", "headcount_band")


def search_item(public: dict[str, Any]) -> dict[str, Any]:
    item = {key: public[key] for key in SEARCH_ITEM_FIELDS}
    item["summary"] = public["description"][:280]
    return item


def search_text(profile: Profile) -> dict[str, str]:
    """Weighted text for full-text search: name (A), offer (B), labels (C), place (D)."""
    labels = [Domain(d).label for d in profile.domains] + [Service(s).label for s in profile.services]
    labels.append(StructureType(profile.structure_type).label)
    return {
        "text_a": profile.name,
        "text_b": " ".join([profile.description, profile.pricing or "", *profile.client_references,
                            *profile.networks, *profile.certifications]),
        "text_c": " ".join(labels),
        "text_d": f"{profile.address.city} {profile.address.postal_code}",
    }


# What a deleted referent's structure keeps: its id, slug and publication dates (the partner feed's tombstone).
ERASED_CONTENT: dict[str, Any] = {
    "profile": None, "public_json": None, "item_json": None, "name": None, "sort_key": None, "street": None,
    "city": None, "postal_code": None, "text_a": "", "text_b": "", "text_c": "", "text_d": "",
}


def without_members(stored_profile: dict[str, Any], removed_members: set[str]) -> dict[str, Any]:
    """The stored profile without the cards of members who left (their names are not kept)."""
    members = stored_profile.get("members") or []
    kept = [card for card in members if str(card.get("account_id")) not in removed_members]
    return stored_profile if len(kept) == len(members) else {**stored_profile, "members": kept}
