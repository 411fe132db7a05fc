"""The profile's and the members' forms: what changed in French, the patch sent, the card's photo checks."""

from __future__ import annotations

from starlette.datastructures import FormData

from activateurs.web.member_forms import PHOTO_MAX_BYTES, acceptance_form, card_body, card_form, photo_type
from activateurs.web.profile_forms import changed_fields, from_dossier, profile_form, profile_patch

DOSSIER = {"structure": {
    "description": "Accompagnement des TPE", "pricing": None, "domains": ["cybersecurite", "gestion_donnees"],
    "services": ["conseil"], "headcount_band": "10-19",
    "address": {"street": "12 rue de la Roquette", "postal_code": "75011", "city": "Paris"},
    "intervention_area": {"departments": ["75", "92"], "national": False}, "website": "https://exemple.fr",
    "social_links": [], "client_references": ["Boulangerie Martin"], "networks": [], "certifications": []},
    "referent_card": {"phone": None, "presentation": "Vingt ans de conseil.", "references": []}}


def posted(before: dict, **changes: object) -> FormData:
    values = {name: value for name, value in before.items() if not isinstance(value, list | bool)}
    values.update({name: "\n".join(value) for name, value in before.items() if isinstance(value, list)
                   and name not in ("domains", "services")})
    items = [*values.items(), *(("domains", code) for code in reversed(before["domains"])),
             *(("services", code) for code in before["services"])]
    return FormData([(name, value) for name, value in items if name not in changes] + list(changes.items()))


def test_the_profile_sent_back_unchanged_changes_nothing_and_each_change_is_named_in_french() -> None:
    before = from_dossier(DOSSIER)
    assert changed_fields(before, profile_form(posted(before.values))) == [], "checkbox order is no change"
    after = profile_form(posted(before.values, pricing="Diagnostic offert", departments="75 ; 92, 2a",
                                card_phone="01 23 45 67 89"))
    assert after.valid, after.errors
    assert changed_fields(before, after) == ["Tarifs", "Départements d'intervention", "Votre téléphone"]
    patch = profile_patch(after)
    assert patch["structure"]["intervention_area"] == {"departments": ["75", "92", "2A"], "national": False}
    assert patch["referent_card"]["phone"] == "01 23 45 67 89" and "name" not in patch["structure"]


def test_the_profile_form_checks_what_registration_would_refuse() -> None:
    form = profile_form(posted(from_dossier(DOSSIER).values, postal_code="99999", departments="75, 1000",
                               website="exemple.fr", description=""))
    assert set(form.errors) == {"postal_code", "departments", "website", "description"}


def test_the_invitation_needs_the_charter_and_a_long_password() -> None:
    form = acceptance_form(FormData({"email": "anne@exemple.fr", "password": "court", "password_confirmation": "court"}))
    assert set(form.errors) == {"password", "accept_charter"}


def test_a_card_photo_is_png_or_jpeg_by_its_bytes_and_within_the_limit() -> None:
    assert photo_type(b"\x89PNG\r\n\x1a\n...") == "image/png" and photo_type(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert photo_type(b"GIF89a") is None
    assert "photo" in card_form(FormData({"picture": "photo"}), False, b"GIF89a").errors
    assert "2 Mo au maximum" in card_form(FormData({}), False, b"\x89PNG\r\n\x1a\n" + b"0" * PHOTO_MAX_BYTES).errors[
        "photo"]
    assert "photo" in card_form(FormData({"picture": "photo"}), False, None).errors, "a photo chosen, none sent"
    initials = card_form(FormData({"picture": "initiales", "references": "A\n\nB"}), True, None)
    assert initials.valid and card_body(initials, "some-id") | {"references": []} == {
        "photo_document_id": None, "avatar": "initiales", "phone": None, "contact_email": None, "presentation": None,
        "references": [], "receive_contact_requests": False}
    assert card_body(initials, None)["references"] == ["A", "B"]
