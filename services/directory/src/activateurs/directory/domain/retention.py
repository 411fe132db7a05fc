"""How long the partner call log is kept: a number of calendar months back from now."""

from __future__ import annotations

import calendar
from datetime import datetime


def months_before(instant: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = instant.year * 12 + instant.month - 1 - months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)
