"""A dossier's revision as the DGE reads it: every field in French, and what changed since the previous one."""

from __future__ import annotations

import copy
from typing import Any

from activateurs.web.revision_changes import EMPTY, OTHERS, changes, sections

DEPARTMENTS = {"75": "Paris", "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "974": "La Réunion"}
SNAPSHOT: dict[str, Any] = {
    "structure": {
        "name": "Numérique & Co", "structure_type": "entreprise_services_numeriques", "category": "privee",
        "siret": "73282932000074", "no_siret_reason": None, "created_on": "2015-03-01", "experience_declaration": None,
        "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
        "headcount_band": "10-19", "website": "https://numerique-et-co.fr",
        "social_links": ["https://www.linkedin.com/company/numerique-et-co"],
        "description": "Accompagnement des TPE", "pricing": "Diagnostic offert, puis 600 € HT/jour",
        "domains": ["cybersecurite", "site_internet_ecommerce"], "services": ["conseil", "formation"],
        "intervention_area": {"departments": ["75", "92", "93"], "national": False},
        "client_references": ["Boulangerie Martin (site e-commerce)"], "networks": [], "certifications": []},
    "management": {"head_first_name": "Claire", "head_last_name": "Durand",
                   "head_email": "claire.durand@numerique-et-co.fr", "registration_number": "73282932000074"},
    "declarations": {"obligations_up_to_date": True, "heads_agreement": True, "website_legal_compliance": False},
    "referent_card": {"phone": "+33 1 23 45 67 89", "presentation": "Vingt ans de conseil.",
                      "references": ["Mission A", "Mission B"], "photo_document_id": None},
}


def shown_fields(snapshot: dict[str, Any]) -> dict[str, str]:
    return {label: value for _, fields in sections(snapshot, DEPARTMENTS) for label, value in fields}


def test_every_field_of_the_snapshot_is_shown_in_french() -> None:
    fields = shown_fields(SNAPSHOT)
    assert fields["Nom de la structure"] == "Numérique & Co"
    assert fields["Type de structure"] == "Entreprise de services numériques"
    assert fields["Catégorie"] == "Privée"
    assert fields["Tranche d'effectif"] == "10-19 salariés"
    assert fields["Date de création"] == "1 mars 2015"
    assert fields["Expérience dans le domaine"] == EMPTY
    assert fields["Numéro SIRET"] == "73282932000074"
    assert fields["Réseaux sociaux"] == "https://www.linkedin.com/company/numerique-et-co"
    assert fields["Domaines d'accompagnement"] == "Cybersécurité, Site internet et e-commerce"
    assert fields["Types de service"] == "Conseil, Formation"
    assert fields["Départements d'intervention"] == "75 — Paris, 92 — Hauts-de-Seine, 93 — Seine-Saint-Denis"
    assert fields["La structure intervient dans toute la France"] == "Non"
    assert fields["Adresse"] == "12 rue de la Roquette" and fields["Code postal"] == "75011"
    assert fields["Adresse électronique du dirigeant"] == "claire.durand@numerique-et-co.fr"
    assert fields["Références professionnelles"] == "Mission A\nMission B"
    assert fields["Photo du référent"] == "Aucune photo"
    declared = [value for label, value in fields.items() if label.startswith("Je déclare")]
    assert declared == ["Oui", "Oui", "Non"]
    titles = [title for title, _ in sections(SNAPSHOT, DEPARTMENTS)]
    assert titles[0] == "Identité de la structure" and titles[-1] == "Fiche du référent"
    assert OTHERS not in titles, "every field of the contract's shape belongs to a section"


def test_a_field_the_sections_do_not_know_is_still_shown() -> None:
    grown = copy.deepcopy(SNAPSHOT)
    grown["structure"]["languages"] = ["fr", "rcf"]
    title, fields = sections(grown, DEPARTMENTS)[-1]
    assert title == OTHERS and fields == [("structure.languages", "fr\nrcf")]


def test_an_unknown_code_is_shown_as_it_is() -> None:
    odd = copy.deepcopy(SNAPSHOT)
    odd["structure"]["structure_type"] = "fondation"
    assert shown_fields(odd)["Type de structure"] == "fondation"


def test_no_change_between_equal_revisions() -> None:
    assert changes(SNAPSHOT, copy.deepcopy(SNAPSHOT), DEPARTMENTS) == []


def test_changes_name_each_field_with_before_and_after() -> None:
    after = copy.deepcopy(SNAPSHOT)
    after["structure"]["name"] = "Numérique & Compagnie"
    after["structure"]["address"]["city"] = "Paris 11e"
    after["structure"]["domains"] = ["cybersecurite"]
    after["structure"]["intervention_area"]["departments"] = ["75", "974"]
    after["structure"]["networks"] = ["French Tech"]
    after["declarations"]["website_legal_compliance"] = True
    after["referent_card"]["photo_document_id"] = "0b5b7f43-0c4e-4f4e-9a53-6b1f0d1c2a11"
    assert changes(SNAPSHOT, after, DEPARTMENTS) == [
        ("Nom de la structure", "Numérique & Co", "Numérique & Compagnie"),
        ("Ville", "Paris", "Paris 11e"),
        ("Départements d'intervention", "75 — Paris, 92 — Hauts-de-Seine, 93 — Seine-Saint-Denis",
         "75 — Paris, 974 — La Réunion"),
        ("Domaines d'accompagnement", "Cybersécurité, Site internet et e-commerce", "Cybersécurité"),
        ("Réseaux dont vous êtes membre", EMPTY, "French Tech"),
        ("Je déclare que le site de la structure respecte les mentions légales et le RGPD", "Non", "Oui"),
        ("Photo du référent", "Aucune photo", "Une photo"),
    ]


def test_order_of_codes_and_empty_values_are_no_change() -> None:
    after = copy.deepcopy(SNAPSHOT)
    after["structure"]["domains"] = ["site_internet_ecommerce", "cybersecurite"]
    after["structure"]["pricing"] = SNAPSHOT["structure"]["pricing"]
    after["structure"]["experience_declaration"] = ""
    after["structure"]["networks"] = None
    assert changes(SNAPSHOT, after, DEPARTMENTS) == []


def test_a_replaced_photo_and_a_siret_given_up() -> None:
    before = copy.deepcopy(SNAPSHOT)
    before["referent_card"]["photo_document_id"] = "0b5b7f43-0c4e-4f4e-9a53-6b1f0d1c2a11"
    after = copy.deepcopy(before)
    after["referent_card"]["photo_document_id"] = "7c1e2d3f-0000-4000-8000-000000000001"
    after["structure"]["siret"] = None
    after["structure"]["no_siret_reason"] = "Entreprise de l'Union européenne"
    assert changes(before, after) == [
        ("Numéro SIRET", "73282932000074", EMPTY),
        ("Raison de l'absence de SIRET", EMPTY, "Entreprise de l'Union européenne"),
        ("Photo du référent", "Une photo", "Une autre photo"),
    ]


def test_a_field_the_sections_do_not_know_is_compared_too() -> None:
    after = copy.deepcopy(SNAPSHOT)
    after["structure"]["languages"] = ["fr"]
    assert changes(SNAPSHOT, after) == [("structure.languages", EMPTY, "fr")]


def test_without_a_previous_revision_every_filled_field_is_new() -> None:
    found = dict((label, (before, after)) for label, before, after in changes(None, SNAPSHOT))
    assert found["Nom de la structure"] == (EMPTY, "Numérique & Co")
    assert "Expérience dans le domaine" not in found, "empty before and after"
