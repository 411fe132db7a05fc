"""Stable, readable slugs for profile pages: `numerique-et-co-paris`."""

from __future__ import annotations

import re
import unicodedata
from uuid import UUID

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 80


def slugify(*parts: str) -> str:
    text = " ".join(parts).replace("&", " et ").replace("œ", "oe").replace("Œ", "oe")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")[:MAX_LENGTH].strip("-")
    return slug or "activateur"


def base_slug(name: str, city: str) -> str:
    return slugify(name, city)


def disambiguated(slug: str, structure_id: UUID) -> str:
    """When two structures share name and city, the second gets a short stable suffix."""
    return f"{slug}-{structure_id.hex[:6]}"


def candidates(slug: str, structure_id: UUID) -> list[str]:
    """The slugs a structure may take, in order of preference: the plain one, then ever longer suffixes
    of its id (the last is unique whatever else exists)."""
    return [slug, disambiguated(slug, structure_id), f"{slug}-{structure_id.hex[:12]}", f"{slug}-{structure_id.hex}"]


def sort_key(name: str) -> str:
    """Alphabetical order ignoring accents and case: « Élan » sorts with « elan », before « Flux »."""
    text = name.replace("œ", "oe").replace("Œ", "oe")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()
