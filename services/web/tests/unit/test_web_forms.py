"""The contact form's checks, in French, field by field, and a free text's; the directory's and relay's refusals
mapped to fields."""

from __future__ import annotations

from starlette.datastructures import FormData

from activateurs.web.forms import (
    INVALID_CHARACTER,
    Form,
    check_text,
    contact_form,
    contact_request,
    relay_errors,
    search_error,
)

VALID = [("company_name", "Boulangerie Martin"), ("contact_name", "Marcel Pétrin"),
         ("email", "marcel@boulangerie-martin.fr"), ("postal_code", "75011"), ("domains", "cybersecurite"),
         ("message", "Nous voudrions sécuriser nos ordinateurs.")]


def form(*pairs: tuple[str, str], drop: str | None = None) -> FormData:
    return FormData([pair for pair in VALID if pair[0] != drop] + list(pairs))


def test_a_complete_form_is_valid_and_becomes_the_relay_body() -> None:
    checked = contact_form(form(("siret", "732 829 320 00074"), ("phone", "01 23 45 67 89")))
    assert checked.errors == {}
    body = contact_request(checked, "numerique-et-co")
    assert body["activator_slug"] == "numerique-et-co" and body["siret"] == "73282932000074"
    assert body["domains"] == ["cybersecurite"] and body["website"] is None and body["subject"] is None


def test_each_required_field_says_what_is_missing() -> None:
    for name in ("company_name", "contact_name", "email", "postal_code", "message", "domains"):
        assert name in contact_form(form(drop=name)).errors, name


def test_bad_values_are_refused_with_an_example() -> None:
    errors = contact_form(form(("siret", "12345678901234"), ("phone", "abc"), ("email", "x@"),
                               ("postal_code", "7501"), drop="email")).errors
    assert "SIRET" in errors["siret"] and "Exemple" in errors["email"] and "5 chiffres" in errors["postal_code"]
    assert "téléphone" in errors["phone"]
    assert "trop court" in contact_form(form(("message", "court"), drop="message")).errors["message"]
    assert "une seule ligne" in contact_form(form(("company_name", "a\r\nBcc: x"), drop="company_name")).errors[
        "company_name"]
    assert "5000 caractères" in contact_form(form(("message", "x" * 5001), drop="message")).errors["message"]


def test_unknown_domains_are_ignored_and_what_was_typed_is_kept() -> None:
    checked = contact_form(form(("domains", "pas-un-domaine"), drop="domains"))
    assert checked.values["domains"] == [] and "domains" in checked.errors
    assert checked.text("company_name") == "Boulangerie Martin"


def test_the_honeypot_travels_to_the_relay_which_drops_the_request() -> None:
    assert contact_request(contact_form(form(("website", "http://spam"))), "x")["website"] == "http://spam"


def test_refusals_are_attached_to_their_fields() -> None:
    assert set(relay_errors([{"loc": ["body", "email"], "msg": "bad"}, {"loc": ["body", "domains", 0]}])) == {
        "email", "domains"}
    assert "form" in relay_errors("something else")
    assert "postal_code" in search_error("postal_code: 00000 is not a known French postal code")
    assert "ne correspond pas" in search_error("department: does not match the postal code")["department"]
    assert "form" in search_error("page: too far")


def test_a_free_text_is_required_with_its_own_message_at_most_so_long_and_without_nul() -> None:
    def checked(text: str, required: str | None = "Écrivez le message.") -> dict[str, str]:
        form = Form({"body": text})
        check_text(form, "body", 10, required)
        return form.errors

    assert checked("  Bonjour  ") == {} and checked("x" * 10) == {} and checked(" ", None) == {}
    assert checked("  ") == {"body": "Écrivez le message."}
    assert checked("x" * 11) == {"body": "10 caractères au maximum (11 saisis)."}
    assert checked("a\x00b") == {"body": INVALID_CHARACTER}
