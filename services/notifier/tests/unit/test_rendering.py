"""Unit tests of the email renderer: every template renders its example, safely, in French."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from markupsafe import escape
from pydantic import BaseModel

from activateurs.notifier.adapters.rendering import (
    TEMPLATES_DIR,
    ContextInvalid,
    EmailRenderer,
    TemplateUnknown,
    date_fr,
)
from activateurs.shared.contracts.emails import EMAIL_CONTEXTS, EmailTemplate

TEMPLATE_KEYS = sorted(t.value for t in EmailTemplate)


@pytest.fixture(scope="module")
def renderer() -> EmailRenderer:
    return EmailRenderer()


def example_of(key: str) -> dict[str, Any]:
    return EMAIL_CONTEXTS[key].model_config["json_schema_extra"]["examples"][0]


def shown_values(model: BaseModel) -> Iterator[str]:
    """What a reader must find in the body: texts, list items, nested models and dates as worded.

    Literal fields are codes the template turns into sentences, so they are not expected verbatim.
    """
    for name, info in type(model).model_fields.items():
        if typing.get_origin(info.annotation) is typing.Literal:
            continue
        yield from _shown(getattr(model, name))


def _shown(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, datetime):
        yield date_fr(value)
    elif isinstance(value, BaseModel):
        yield from shown_values(value)
    elif isinstance(value, list):
        for item in value:
            yield from _shown(item)


def urls(model: BaseModel) -> list[str]:
    return [value for value in shown_values(model) if value.startswith(("http://", "https://"))]


def choice_variants() -> Iterator[tuple[str, str, Any]]:
    """Every (template, field, value) where a Literal or bool field switches the wording."""
    for key in TEMPLATE_KEYS:
        for name, info in EMAIL_CONTEXTS[key].model_fields.items():
            if typing.get_origin(info.annotation) is typing.Literal:
                for option in typing.get_args(info.annotation):
                    yield key, name, option
            elif info.annotation is bool:
                yield key, name, True
                yield key, name, False


# --- Coverage of the contract ---------------------------------------------------------------


def test_every_template_key_has_a_context_model() -> None:
    assert set(EMAIL_CONTEXTS) == set(TEMPLATE_KEYS)
    assert len(TEMPLATE_KEYS) == 30


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_every_template_has_its_three_files(key: str) -> None:
    for suffix in (".subject.txt", ".txt", ".html"):
        assert (TEMPLATES_DIR / f"{key}{suffix}").is_file(), f"{key}{suffix} is missing"


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_example_is_valid_for_its_model(key: str) -> None:
    EMAIL_CONTEXTS[key].model_validate(example_of(key))


# --- Rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_example_renders_all_three_parts(renderer: EmailRenderer, key: str) -> None:
    email = renderer.render(key, example_of(key))

    assert email.subject.strip()
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.text.strip()
    assert email.html.strip()
    assert 'lang="fr"' in email.html
    assert "France Num — Activateurs" in email.text and "France Num — Activateurs" in email.html


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_example_values_appear_in_the_text_body(renderer: EmailRenderer, key: str) -> None:
    model = EMAIL_CONTEXTS[key].model_validate(example_of(key))
    email = renderer.render(key, example_of(key))

    for value in shown_values(model):
        assert value in email.text, f"{key}: {value!r} is not shown in the text body"


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_links_appear_in_text_and_html(renderer: EmailRenderer, key: str) -> None:
    model = EMAIL_CONTEXTS[key].model_validate(example_of(key))
    email = renderer.render(key, example_of(key))

    for url in urls(model):
        assert url in email.text
        assert f'href="{escape(url)}"' in email.html


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_renders_without_its_optional_fields(renderer: EmailRenderer, key: str) -> None:
    model_cls = EMAIL_CONTEXTS[key]
    required = {name for name, info in model_cls.model_fields.items() if info.is_required()}
    context = {name: value for name, value in example_of(key).items() if name in required}

    email = renderer.render(key, context)

    # An absent optional must be left out, never printed as Python's "None".
    assert "None" not in email.text
    assert "None" not in email.html


@pytest.mark.parametrize(("key", "field", "option"), list(choice_variants()))
def test_every_choice_renders(renderer: EmailRenderer, key: str, field: str, option: Any) -> None:
    email = renderer.render(key, {**example_of(key), field: option})

    assert email.text.strip() and email.html.strip() and email.subject


@pytest.mark.parametrize(("key", "field"), sorted({(key, field) for key, field, _ in choice_variants()}))
def test_each_choice_has_its_own_wording(renderer: EmailRenderer, key: str, field: str) -> None:
    # A code that fell through to another's sentence (an `else` branch) would tell the reader something false.
    options = [option for k, f, option in choice_variants() if (k, f) == (key, field)]
    texts = {option: renderer.render(key, {**example_of(key), field: option}).text for option in options}
    assert len(set(texts.values())) == len(options), f"{key}.{field}: two choices render the same text"


def test_template_may_be_given_as_enum_member(renderer: EmailRenderer) -> None:
    key = EmailTemplate.DOSSIER_RECEIVED
    by_member = renderer.render(key, example_of(key.value))
    by_value = renderer.render(key.value, example_of(key.value))

    assert by_member == by_value


def test_contact_overdue_business_lists_the_alternatives(renderer: EmailRenderer) -> None:
    example = example_of("contact_overdue_business")
    email = renderer.render("contact_overdue_business", example)

    for alternative in example["alternatives"]:
        assert alternative["name"] in email.text
        assert alternative["profile_url"] in email.text
        assert f'href="{alternative["profile_url"]}"' in email.html


def test_verification_link_is_said_valid_48_hours(renderer: EmailRenderer) -> None:
    email = renderer.render("account_verification", example_of("account_verification"))

    assert "48 h" in email.text and "48 h" in email.html


def test_password_reset_link_is_said_valid_one_hour_and_single_use(renderer: EmailRenderer) -> None:
    email = renderer.render("password_reset", example_of("password_reset"))

    assert "1 h" in email.text and "1 h" in email.html
    assert "ne sert qu'une fois" in email.text


@pytest.mark.parametrize("key", ["information_requested", "information_reminder"])
def test_information_mails_warn_of_deletion_after_3_months(renderer: EmailRenderer, key: str) -> None:
    email = renderer.render(key, example_of(key))

    assert "3 mois" in email.text and "supprimé" in email.text
    assert "article 3" in email.text


# --- Safety ---------------------------------------------------------------------------------


def test_html_body_escapes_context_values(renderer: EmailRenderer) -> None:
    context = {**example_of("dossier_received"), "structure_name": "<script>alert(1)</script>"}

    email = renderer.render("dossier_received", context)

    assert "&lt;script&gt;" in email.html
    assert "<script>" not in email.html
    # The plain-text part is not HTML: it shows the name as typed.
    assert "<script>alert(1)</script>" in email.text


@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r", "\x00", "\x0b", "\x85", "\u2028", "\t"])
def test_subject_stays_on_one_line(renderer: EmailRenderer, separator: str) -> None:
    context = {**example_of("dossier_received"), "structure_name": f"Numérique & Co{separator}Bcc: x@y.z"}

    subject = renderer.render("dossier_received", context).subject

    assert subject == "Nous avons bien reçu le dossier de Numérique & Co Bcc: x@y.z"
    assert all(ch.isprintable() for ch in subject)


def test_unknown_template_is_refused(renderer: EmailRenderer) -> None:
    with pytest.raises(TemplateUnknown):
        renderer.render("password_lottery", {"first_name": "Camille"})


def test_missing_field_names_the_field_but_never_the_values(renderer: EmailRenderer) -> None:
    context = {**example_of("contact_forwarded"), "ack_deadline": "pas-une-date"}
    del context["message"]

    with pytest.raises(ContextInvalid) as caught:
        renderer.render("contact_forwarded", context)

    message = str(caught.value)
    assert "message" in message and "missing" in message
    assert "ack_deadline" in message
    assert "paul.martin@boulangerie-martin.fr" not in message
    assert "pas-une-date" not in message
    assert "Paul Martin" not in message
    # Nor through a chained pydantic error, which would show the input in a traceback.
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_non_mapping_context_is_invalid(renderer: EmailRenderer) -> None:
    with pytest.raises(ContextInvalid):
        renderer.render("account_verification", ["Camille"])  # type: ignore[arg-type]


def test_non_web_link_is_refused(renderer: EmailRenderer) -> None:
    context = {**example_of("account_verification"), "verification_url": "javascript:alert(1)"}

    with pytest.raises(ContextInvalid) as caught:
        renderer.render("account_verification", context)

    assert "verification_url" in str(caught.value)
    assert "javascript" not in str(caught.value)


# --- French dates ---------------------------------------------------------------------------


def test_date_fr_speaks_paris_time() -> None:
    assert date_fr(datetime(2026, 4, 7, 8, 0, tzinfo=timezone.utc)) == "mardi 7 avril 2026 à 10 h 00"


def test_date_fr_in_winter_and_on_the_first_of_the_month() -> None:
    assert date_fr(datetime(2026, 1, 1, 8, 5, tzinfo=timezone.utc)) == "jeudi 1er janvier 2026 à 9 h 05"


def test_date_fr_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        date_fr(datetime(2026, 4, 7, 10, 0))
