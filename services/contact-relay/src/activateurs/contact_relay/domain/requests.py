"""Contact requests: their statuses, and the checks on what a business writes (no I/O)."""

from __future__ import annotations

import re
from enum import StrEnum


class RequestStatus(StrEnum):
    FORWARDED = "forwarded"
    ACKNOWLEDGED = "acknowledged"
    OVERDUE = "overdue"
    REDIRECTED = "redirected"


# Acknowledging is possible while waiting, and late (an overdue request still counts as answered late).
ACKNOWLEDGEABLE = frozenset({RequestStatus.FORWARDED, RequestStatus.OVERDUE})

# Header injection: names and subjects end up in mail headers and subjects, where a line break starts a new one.
_LINE_BREAKS = re.compile(r"[\r\n\x00\u2028\u2029\x85]")


def has_line_break(text: str) -> bool:
    return bool(_LINE_BREAKS.search(text))


POSTAL_CODE = re.compile(r"^(?:[0-8]\d|9[0-8])\d{3}$")
SIRET = re.compile(r"^\d{14}$")
PHONE = re.compile(r"^\+?[0-9 .()-]{6,25}$")
