"""The engagement (A6): 24 months from acceptance, reminders 60, 30 and 7 days before its end, then the lapse."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

REMINDER_DAYS = (60, 30, 7)
REMINDER = "engagement_reminder"
LAPSE = "engagement_lapse"
CHARTER = "charter_deadline"


def add_months(instant: datetime, months: int) -> datetime:
    """The same day and time `months` later; the month's last day when that day does not exist (31 → 30)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    return instant.replace(year=year, month=month, day=min(instant.day, calendar.monthrange(year, month)[1]))


def engagement_deadlines(expires_at: datetime, now: datetime) -> list[tuple[str, datetime, dict[str, object]]]:
    """(kind, due time, payload) of the reminders still to come and of the lapse, for an engagement ending then."""
    end = expires_at.isoformat()
    found: list[tuple[str, datetime, dict[str, object]]] = [
        (REMINDER, expires_at - timedelta(days=days), {"days_left": days, "engagement_expires_at": end})
        for days in REMINDER_DAYS if expires_at - timedelta(days=days) > now]
    found.append((LAPSE, expires_at, {"engagement_expires_at": end}))
    return found


def renewal_opens(expires_at: datetime, window_days: int) -> datetime:
    return expires_at - timedelta(days=window_days)
