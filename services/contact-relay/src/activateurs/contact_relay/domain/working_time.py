"""The 48 working-hour acknowledgement deadline: working days, territories' holidays and time zones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

ACK_HOURS = 48
MAINLAND_TZ = "Europe/Paris"


@dataclass(frozen=True)
class Territory:
    """Where a structure works: the `holidays` subdivision of France (None for the mainland) and its time zone."""

    subdivision: str | None
    timezone: str


# Departments whose public holidays or clock differ from the mainland's (DOMAIN.md: Alsace-Moselle and
# each overseas territory). Codes as the `holidays` library names its French subdivisions.
_TERRITORIES: dict[str, Territory] = {
    "57": Territory("57", MAINLAND_TZ),            # Moselle: Good Friday, 26 December
    "67": Territory("6AE", MAINLAND_TZ),           # Bas-Rhin (Alsace)
    "68": Territory("6AE", MAINLAND_TZ),           # Haut-Rhin (Alsace)
    "971": Territory("971", "America/Guadeloupe"),
    "972": Territory("972", "America/Martinique"),
    "973": Territory("973", "America/Cayenne"),
    "974": Territory("974", "Indian/Reunion"),
    "975": Territory("PM", "America/Miquelon"),
    "976": Territory("976", "Indian/Mayotte"),
    "977": Territory("BL", "America/St_Barthelemy"),
    "978": Territory("MF", "America/Marigot"),
    "986": Territory("WF", "Pacific/Wallis"),
    "987": Territory("PF", "Pacific/Tahiti"),
    "988": Territory("NC", "Pacific/Noumea"),
}
MAINLAND = Territory(None, MAINLAND_TZ)


def territory_for(department: str, timezone: str | None = None) -> Territory:
    """The territory of a department code ("75", "2A", "971"…).

    The holidays always follow the department; the time zone given with the routing data wins when it is a
    real zone other than the mainland default (an unset field arrives as the default, and must not put a
    Réunion structure on Paris time).
    """
    base = _TERRITORIES.get(department.strip().upper(), MAINLAND)
    if timezone and timezone != MAINLAND_TZ and valid_timezone(timezone):
        return Territory(base.subdivision, timezone)
    return base


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def _holidays(subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.France(subdiv=subdivision, years=year).keys())


def is_working_day(day: date, territory: Territory) -> bool:
    """Monday to Friday, minus the public holidays of the territory."""
    return day.weekday() < 5 and day not in _holidays(territory.subdivision, day.year)


def add_working_time(start: datetime, amount: timedelta, territory: Territory) -> datetime:
    """The instant when `amount` of working time has run from `start` (aware), counted on the territory's
    local clock. Time on a non-working day does not count, so a start on one begins at 00:00 of the next
    working day. Counting on the wall clock is exact: clocks change only on Sundays, never a working day.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    zone = ZoneInfo(territory.timezone)
    local = start.astimezone(zone).replace(tzinfo=None)
    left = amount
    day = local.date()
    cursor = local
    while True:
        if is_working_day(day, territory):
            day_end = datetime.combine(day + timedelta(days=1), time())
            available = day_end - cursor
            if left <= available:
                return (cursor + left).replace(tzinfo=zone).astimezone(start.tzinfo)
            left -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time())


@dataclass(frozen=True)
class AckSchedule:
    """When a request must be acknowledged, and when the structure is reminded (half the time)."""

    reminder_at: datetime
    ack_deadline: datetime


def ack_schedule(received_at: datetime, territory: Territory, hours: int = ACK_HOURS) -> AckSchedule:
    return AckSchedule(
        reminder_at=add_working_time(received_at, timedelta(hours=hours) / 2, territory),
        ack_deadline=add_working_time(received_at, timedelta(hours=hours), territory),
    )
