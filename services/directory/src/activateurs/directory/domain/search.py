"""A search for activators: validated criteria, the place it is about, and the free-text variants."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .geography import DEPARTMENT_CODE, POSTAL_CODE, REGION_CODE, Geography

MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000
MAX_PAGE_SIZE = 100
JOIN_VARIANTS = 6  # how many "two words written as one" variants a query may add
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidSearch(ValueError):
    """A criterion that cannot be searched; the message says which and why (shown to the client)."""


@dataclass(frozen=True)
class Location:
    department: str | None
    region: str


def locate(geography: Geography, postal_code: str | None, department: str | None,
           region: str | None) -> Location | None:
    """The place a search is about, from the most precise criterion given; they must agree."""
    found: Location | None = None
    if postal_code is not None:
        if not POSTAL_CODE.match(postal_code):
            raise InvalidSearch("postal_code: five digits expected")
        place = geography.place(postal_code)
        if place is None:
            raise InvalidSearch(f"postal_code: {postal_code} is not a known French postal code")
        found = Location(place.department, place.region)
    if department is not None:
        department = department.upper()
        if not DEPARTMENT_CODE.match(department) or department not in geography.departments:
            raise InvalidSearch("department: not a department code (e.g. 75, 2A, 974)")
        if found is not None and found.department != department:
            raise InvalidSearch("department: does not match the postal code")
        found = Location(department, geography.departments[department][1])
    if region is not None:
        if not REGION_CODE.match(region) or region not in geography.regions:
            raise InvalidSearch("region: not a region code (e.g. 11, 94, 04)")
        if found is not None and found.region != region:
            raise InvalidSearch("region: does not match the postal code or department")
        found = found or Location(None, region)
    return found


def check_text(q: str | None) -> str | None:
    if q is None:
        return None
    if _CONTROL.search(q):
        raise InvalidSearch("q: control characters are not allowed")
    q = q.strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidSearch(f"q: at most {MAX_QUERY_LENGTH} characters")
    return q or None


def joined_variants(q: str) -> list[str]:
    """The query with two neighbouring words written as one: « cyber securite » → « cybersecurite ».

    French writes many compounds both ways; the stemmed index only knows the form used in the
    profile, so each variant is searched too (OR). Always JOIN_VARIANTS strings (blank when unused)
    so the statement text, hence its prepared plan, does not depend on the query.
    """
    words = _WORD.findall(q)
    variants = [" ".join([*words[:i], words[i] + words[i + 1], *words[i + 2:]]) for i in range(len(words) - 1)]
    return (variants + [""] * JOIN_VARIANTS)[:JOIN_VARIANTS]
