"""The SLA report's days: the last 30 by default, in order, ten years at most."""

from __future__ import annotations

from datetime import date

import pytest

from activateurs.contact_relay.service.sla import InvalidPeriod, period

TODAY = date(2026, 12, 4)


def test_the_default_is_the_thirty_days_up_to_today() -> None:
    assert period(TODAY, None, None) == (date(2026, 11, 4), TODAY)


def test_a_given_end_moves_the_default_start_with_it() -> None:
    assert period(TODAY, None, date(2026, 6, 30)) == (date(2026, 5, 31), date(2026, 6, 30))


def test_one_day_is_a_period() -> None:
    assert period(TODAY, TODAY, TODAY) == (TODAY, TODAY)


@pytest.mark.parametrize(("first", "last"), [(date(2026, 12, 5), TODAY), (date(2016, 1, 1), TODAY)])
def test_days_out_of_order_or_too_many_are_refused(first: date, last: date) -> None:
    with pytest.raises(InvalidPeriod):
        period(TODAY, first, last)
