"""The manual clock: moves only when told to, and only with timezone-aware instants."""

from datetime import UTC, datetime, timedelta

import pytest

from activateurs.shared.clock import ManualClock

START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


def test_advance_moves_now_by_the_delta():
    clock = ManualClock(START)
    assert clock.advance(timedelta(hours=48)) == START + timedelta(hours=48)
    assert clock.now() == START + timedelta(hours=48)


def test_now_stays_put_without_advance():
    clock = ManualClock(START)
    assert clock.now() == clock.now() == START


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        ManualClock(datetime(2025, 1, 6, 8, 0))
    clock = ManualClock(START)
    with pytest.raises(ValueError):
        clock.set(datetime(2025, 1, 7, 8, 0))
    assert clock.now() == START
