"""Pure rules added for the directory's guards and caches: retention months, slug candidates, page cache, months."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from activateurs.directory.adapters.search_cache import Page, PageCache
from activateurs.directory.domain.retention import months_before
from activateurs.directory.domain.slugs import candidates
from activateurs.directory.domain.statistics import Contact, summarise


def test_months_before_counts_calendar_months_and_clamps_the_day():
    assert months_before(datetime(2026, 3, 31, 8, tzinfo=UTC), 12) == datetime(2025, 3, 31, 8, tzinfo=UTC)
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2024, 2, 29, tzinfo=UTC), 12) == datetime(2023, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(2024, 12, 15, tzinfo=UTC)


def test_slug_candidates_start_plain_and_end_unique():
    sid = uuid.UUID("12345678123456781234567812345678")
    assert candidates("x-paris", sid) == ["x-paris", "x-paris-123456", "x-paris-123456781234",
                                          "x-paris-12345678123456781234567812345678"]


def page(n: int) -> Page:
    return Page([uuid.uuid4()], "x" * n, 1, False)


def test_page_cache_serves_only_the_same_generation_and_stays_within_its_budget():
    cache = PageCache(max_bytes=2000)  # a page's size counts its items and ids, plus a fixed 200
    first = page(100)
    cache.put("a", 7, first)
    assert cache.get("a", 7) is first
    assert cache.get("a", 8) is None  # a publication committed since: never served
    cache.put("b", 7, page(500))
    cache.get("a", 7)  # "a" used last: "b" goes first
    cache.put("c", 7, page(1000))
    assert cache.get("b", 7) is None and cache.get("a", 7) is first and cache.get("c", 7) is not None
    cache.put("huge", 7, page(5000))
    assert cache.get("huge", 7) is None
    assert PageCache(0).get("a", 7) is None


def test_statistics_by_month_cover_partial_months_of_the_period():
    received = datetime(2026, 2, 27, 10, tzinfo=UTC)
    contact = Contact(received, received + timedelta(hours=48), received + timedelta(hours=1), None, None)
    summary = summarise(date(2026, 1, 30), date(2026, 3, 2), {date(2026, 3, 1): (5, 9), date(2026, 1, 29): (1, 1)},
                        [contact], datetime(2026, 3, 3, tzinfo=UTC))
    months = {m["month"]: m for m in summary["months"]}
    assert list(months) == ["2026-01", "2026-02", "2026-03"]
    assert (months["2026-01"]["views"], months["2026-03"]["views"], months["2026-03"]["search_appearances"]) == (0, 5, 9)
    assert months["2026-02"]["contacts_received"] == 1 and months["2026-02"]["median_ack_seconds"] == 3600
    assert summary["totals"]["views"] == 5 and len(summary["days"]) == 32
