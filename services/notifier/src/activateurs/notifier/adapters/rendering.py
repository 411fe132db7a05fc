"""Renders an email template (subject, plain text, HTML) from its validated context."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from pydantic import BaseModel, ValidationError

from activateurs.shared.contracts.emails import EMAIL_CONTEXTS, EmailContext

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

PARIS = ZoneInfo("Europe/Paris")

# Written out here so the output never depends on the locales installed on the host.
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)

# C0 and C1 control characters plus the Unicode line and paragraph separators: anything a mail
# client or an SMTP library might treat as a line break inside the Subject header.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class TemplateUnknown(ValueError):
    """The requested template key is not one of CONTRACTS.md."""


class ContextInvalid(ValueError):
    """The context does not fit the template's model. The message never quotes the values."""


def date_fr(value: datetime) -> str:
    """`mardi 7 avril 2026 à 10 h 00`, in Paris time."""
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive instant is ambiguous; guessing its zone could state a wrong deadline.
        raise ValueError("date_fr needs an aware datetime")
    local = value.astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return (
        f"{_DAYS[local.weekday()]} {day} {_MONTHS[local.month - 1]} {local.year}"
        f" à {local.hour} h {local.minute:02d}"
    )


def single_line(subject: str) -> str:
    """The subject on one line: control characters become spaces, runs of spaces collapse."""
    return " ".join(_CONTROL_CHARS.sub(" ", subject).split())


def describe_errors(template: str, error: ValidationError) -> str:
    """Names each invalid field and its error type; the input values may be personal data."""
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or '(context)'} ({item['type']})"
        for item in error.errors(include_input=False, include_url=False)
    ]
    return f"invalid context for template {template}: {', '.join(problems)}"


def template_variables(model: BaseModel) -> dict[str, Any]:
    """The validated fields as they are (datetimes stay datetimes, nested models stay models)."""
    return {name: getattr(model, name) for name in type(model).model_fields}


def build_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code: no file stat on every render to look for edits.
        auto_reload=False,
    )
    env.filters["date_fr"] = date_fr
    return env


class EmailRenderer:
    """Turns `(template, context)` into the three parts of a French email."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self._env = build_environment(templates_dir or TEMPLATES_DIR)

    def render(self, template: str, context: Mapping[str, Any]) -> RenderedEmail:
        key = str(template)
        model = self._validate(key, context)
        variables = template_variables(model)
        return RenderedEmail(
            subject=single_line(self._render(f"{key}.subject.txt", variables)),
            text=self._render(f"{key}.txt", variables),
            html=self._render(f"{key}.html", variables),
        )

    def _validate(self, key: str, context: Mapping[str, Any]) -> EmailContext:
        model_cls = EMAIL_CONTEXTS.get(key)
        if model_cls is None:
            raise TemplateUnknown(f"unknown email template {key[:100]!r}")
        if not isinstance(context, Mapping):
            raise ContextInvalid(f"invalid context for template {key}: not an object")
        try:
            return model_cls.model_validate(dict(context))
        except ValidationError as error:
            # `from None`: the chained ValidationError would print the values in tracebacks.
            raise ContextInvalid(describe_errors(key, error)) from None

    def _render(self, name: str, variables: dict[str, Any]) -> str:
        return self._env.get_template(name).render(variables)
