"""A complete, valid dossier: the API documentation's example, and where the demo and the tests start from."""

from __future__ import annotations

import copy
from typing import Any

EXAMPLE_DOSSIER: dict[str, Any] = {
    "structure": {
        "name": "Numérique & Co", "structure_type": "entreprise_services_numeriques", "category": "privee",
        "siret": "73282932000074", "no_siret_reason": None, "created_on": "2015-03-01",
        "experience_declaration": None,
        "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
        "headcount_band": "10-19", "website": "https://numerique-et-co.fr",
        "social_links": ["https://www.linkedin.com/company/numerique-et-co"],
        "description": "Accompagnement des TPE dans leur transformation numérique : sites, cybersécurité.",
        "pricing": "Diagnostic offert, puis 600 € HT/jour",
        "domains": ["cybersecurite", "site_internet_ecommerce"], "services": ["conseil", "formation"],
        "intervention_area": {"departments": ["75", "92", "93"], "national": False},
        "client_references": ["Boulangerie Martin (site e-commerce)"], "networks": [], "certifications": [],
    },
    "management": {"head_first_name": "Claire", "head_last_name": "Durand",
                   "head_email": "claire.durand@numerique-et-co.fr", "registration_number": "73282932000074"},
    "declarations": {"obligations_up_to_date": True, "heads_agreement": True, "website_legal_compliance": True},
    "referent_card": {"phone": "+33 1 23 45 67 89", "presentation": "Consultante numérique depuis 15 ans.",
                      "references": ["Refonte du site de la boulangerie Martin"], "photo_document_id": None},
}


def example_dossier(*, head: tuple[str, str, str] | None = None, phone: str | None = None,
                    **structure: Any) -> dict[str, Any]:
    """A copy of the example; `head` = (first name, last name, email) of the head of structure, `structure`
    fields replaced (e.g. `name=`)."""
    dossier = copy.deepcopy(EXAMPLE_DOSSIER)
    dossier["structure"].update(structure)
    if head is not None:
        management = dossier["management"]
        management["head_first_name"], management["head_last_name"], management["head_email"] = head
    if phone is not None:
        dossier["referent_card"]["phone"] = phone
    return dossier
