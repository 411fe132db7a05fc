"""A structure's statistics by day and by month (DOMAIN A5): views, search appearances, contacts and how they were acknowledged."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

MAX_DAYS = 366


class InvalidPeriod(ValueError):
    pass


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The days asked for: by default the last 30 days; at most a year; `from` not after `to`."""
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise InvalidPeriod("from: must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"from/to: at most {MAX_DAYS} days")
    return start, end


@dataclass(frozen=True)
class Contact:
    received_at: datetime
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    overdue_at: datetime | None
    redirected_at: datetime | None

    def acknowledged_in_time(self) -> bool:
        return self.acknowledged_at is not None and (self.ack_deadline is None or
                                                     self.acknowledged_at <= self.ack_deadline)

    def overdue(self, now: datetime) -> bool:
        if self.overdue_at is not None:
            return True
        # Past the deadline and still unacknowledged, even if the overdue event has not come yet.
        return (self.acknowledged_at is None and self.redirected_at is None and self.ack_deadline is not None
                and now > self.ack_deadline)


@dataclass
class Day:
    day: date
    views: int = 0
    search_appearances: int = 0
    contacts_received: int = 0
    acknowledged: int = 0
    acknowledged_in_time: int = 0
    overdue: int = 0
    redirected: int = 0
    ack_seconds: list[float] = field(default_factory=list)

    def add_counts(self, views: int, appearances: int) -> None:
        self.views += views
        self.search_appearances += appearances

    def add_contact(self, contact: Contact, now: datetime) -> None:
        self.contacts_received += 1
        if contact.acknowledged_at is not None:
            self.acknowledged += 1
            self.ack_seconds.append((contact.acknowledged_at - contact.received_at).total_seconds())
        self.acknowledged_in_time += contact.acknowledged_in_time()
        self.overdue += contact.overdue(now)
        self.redirected += contact.redirected_at is not None

    def as_dict(self) -> dict[str, object]:
        return {"day": self.day.isoformat(), "views": self.views, "search_appearances": self.search_appearances,
                "contacts_received": self.contacts_received, "acknowledged": self.acknowledged,
                "acknowledged_in_time": self.acknowledged_in_time, "overdue": self.overdue,
                "redirected": self.redirected,
                "median_ack_seconds": statistics.median(self.ack_seconds) if self.ack_seconds else None}


def _month(day: date) -> date:
    return day.replace(day=1)


def summarise(start: date, end: date, counters: dict[date, tuple[int, int]], contacts: list[Contact],
              now: datetime) -> dict[str, object]:
    """Per day and per calendar month (every one of the period, zeros included; the first and last months
    only for their days within the period) and in total; contacts count on the day received (UTC)."""
    days = {start + timedelta(days=i): Day(start + timedelta(days=i)) for i in range((end - start).days + 1)}
    months = {_month(day): Day(_month(day)) for day in days}
    total = Day(start)
    for day, (views, appearances) in counters.items():
        if day in days:
            for bucket in (days[day], months[_month(day)], total):
                bucket.add_counts(views, appearances)
    for contact in contacts:
        received = contact.received_at.date()
        if received not in days:
            continue
        for bucket in (days[received], months[_month(received)], total):
            bucket.add_contact(contact, now)
    summary = total.as_dict()
    summary.pop("day")
    rate = total.acknowledged_in_time / total.contacts_received if total.contacts_received else None
    by_month = []
    for month in months.values():
        figures = month.as_dict()
        figures.pop("day")
        by_month.append({"month": month.day.strftime("%Y-%m"), **figures})
    return {"from": start.isoformat(), "to": end.isoformat(), "totals": {**summary, "acknowledgement_rate": rate},
            "days": [day.as_dict() for day in days.values()], "months": by_month}
