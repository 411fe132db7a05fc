"""A submitted revision as the DGE reads it: every field of the structure's snapshot with its French label and
value, by the applicant's own sections (dossier_sections.py), and what changed from the previous revision.

Pure: the snapshot is validation's `dossier` (registration's dossier shape: structure, management, declarations,
referent_card); the department names come from the caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from .dossier_sections import SECTIONS, Field

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
EMPTY = "Non renseigné"
# The referent's photo is an upload in the applicant's form, not a field: here it is one.
PHOTO = Field("photo", ("referent_card", "photo_document_id"), "Photo du référent", "photo")
READING: tuple[tuple[str, tuple[Field, ...]], ...] = tuple(
    (section.title, section.fields + ((PHOTO,) if section.slug == "referent" else ())) for section in SECTIONS)
KNOWN = {item.path for _, fields in READING for item in fields}
OTHERS = "Autres informations"  # fields the snapshot has and the sections do not know (the shape may grow)
SETS = ("codes", "departments")  # lists whose order means nothing


def value_at(snapshot: Mapping[str, Any] | None, path: tuple[str, ...]) -> Any:
    value: Any = snapshot
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def french_day(text: str) -> str:
    try:
        day = date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def shown(item: Field, value: Any, departments: Mapping[str, str] | None = None) -> str:
    """The value as a reader reads it: labels for codes, « Oui »/« Non », dates in words, one line per item."""
    if item.kind == "flag":
        return "Oui" if value else "Non"
    if item.kind == "photo":
        return "Une photo" if value else "Aucune photo"
    if value is None or value == "" or value == []:
        return EMPTY
    if item.kind == "select" and item.options is not None:
        return _label(item, value)
    if item.kind == "codes":
        return ", ".join(_label(item, code) for code in value)
    if item.kind == "departments":
        names = departments or {}
        return ", ".join(f"{code} — {names[code]}" if code in names else str(code) for code in value)
    if item.kind == "lines":
        return "\n".join(str(line) for line in value)
    if item.kind == "date":
        return french_day(value)
    return str(value)


def _label(item: Field, code: Any) -> str:
    try:
        return item.options(code).label if item.options else str(code)
    except ValueError:  # a code the vocabulary no longer has: shown as it is
        return str(code)


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, str(key)))
    else:
        yield path, value


def _other_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def _others(snapshot: Mapping[str, Any] | None) -> dict[tuple[str, ...], Any]:
    return {path: value for path, value in _leaves(snapshot or {}) if path and path not in KNOWN}


def sections(snapshot: Mapping[str, Any], departments: Mapping[str, str] | None = None
             ) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every field, by section: [(section title, [(label, value)])]; fields unknown to the sections last."""
    found = [(title, [(item.label, shown(item, value_at(snapshot, item.path), departments)) for item in fields])
             for title, fields in READING]
    others = _others(snapshot)
    if others:
        found.append((OTHERS, [(".".join(path), _other_value(value)) for path, value in others.items()]))
    return found


def _same(item: Field | None, before: Any, after: Any) -> bool:
    if item is not None and item.kind in SETS:
        return set(before or []) == set(after or [])
    if item is not None and item.kind == "flag":
        return bool(before) == bool(after)
    empty = (None, "", [])
    return before == after or (before in empty and after in empty)


def changes(previous: Mapping[str, Any] | None, current: Mapping[str, Any],
            departments: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """What the applicant changed from `previous` to `current`: [(field label, before, after)], in the page's
    order. A replaced photo reads « Une photo » → « Une autre photo »."""
    found: list[tuple[str, str, str]] = []
    for _, fields in READING:
        for item in fields:
            before, after = value_at(previous, item.path), value_at(current, item.path)
            if _same(item, before, after):
                continue
            if item.kind == "photo" and before and after:
                found.append((item.label, "Une photo", "Une autre photo"))
            else:
                found.append((item.label, shown(item, before, departments), shown(item, after, departments)))
    old, new = _others(previous), _others(current)
    for path in [*old, *(path for path in new if path not in old)]:
        before, after = old.get(path), new.get(path)
        if not _same(None, before, after):
            found.append((".".join(path), _other_value(before), _other_value(after)))
    return found
