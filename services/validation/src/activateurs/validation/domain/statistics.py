"""The DGE's figures: instruction time with the time spent waiting for the applicant left out, medians."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import median

AWAITING = "awaiting_applicant"
DECIDED = ("accepted", "refused")


def instruction_time(steps: Sequence[tuple[datetime, str | None]]) -> timedelta | None:
    """From the submission to the decision, minus every stretch spent awaiting the applicant.

    `steps` are a case's history in order, as (instant, status entered or None). A case reopened by
    a new application after a decision counts from that new submission. None if never decided.
    """
    started: datetime | None = None
    paused_since: datetime | None = None
    paused = timedelta()
    result: timedelta | None = None
    for at, status in steps:
        if status is None:
            continue
        if started is None:
            started, paused, paused_since = at, timedelta(), None
        if paused_since is not None and status != AWAITING:
            paused += at - paused_since
            paused_since = None
        if status == AWAITING and paused_since is None:
            paused_since = at
        if status in DECIDED:
            result = at - started - paused
            started = None  # a later submission starts a new instruction
    return result


def median_days(durations: Sequence[timedelta]) -> float | None:
    if not durations:
        return None
    return round(median(d.total_seconds() for d in durations) / 86400, 2)
