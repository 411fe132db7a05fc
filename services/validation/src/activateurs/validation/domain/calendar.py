"""Calendar arithmetic of the validation rules: calendar months (3-month rule, 24-month engagement)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

RESPONSE_MONTHS = 3          # A3: an information request unanswered for 3 months deletes the account
FIRST_REMINDER_MONTHS = 1    # decided: a reminder one month after the request...
FINAL_REMINDER_BEFORE = timedelta(days=14)  # ...and another 14 days before the end
ENGAGEMENT_MONTHS = 24       # A6: every engagement lasts 24 months from acceptance


def add_months(instant: datetime, months: int) -> datetime:
    """Same day and time `months` later; the last day of the month when that day does not exist (31 → 30)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


def add_months_to_date(day: date, months: int) -> date:
    return add_months(datetime.combine(day, time()), months).date()
