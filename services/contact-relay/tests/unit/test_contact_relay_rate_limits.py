"""The sliding-window arithmetic: windows aligned for every replica, budgets spent in order, honest Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from activateurs.contact_relay.domain.rate_limits import Budget, Window

NINE = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_windows_are_aligned_on_the_epoch_so_every_replica_names_them_alike():
    window = Window.at(NINE + timedelta(minutes=25, microseconds=7), 600)
    assert window.start == NINE + timedelta(minutes=20)
    assert window.previous_start == NINE + timedelta(minutes=10)
    assert abs(window.elapsed - 300.000007) < 1e-6


def test_a_fresh_key_gets_exactly_its_limit_then_waits_for_the_window_to_slide():
    window = Window.at(NINE, 600)
    budget = Budget(limit=3, previous=0, current=0)
    assert [budget.hit(window) for _ in range(5)] == [0, 0, 0, 800, 800]
    assert budget.current == 3  # refused hits are not counted: 600 × (2 − 2/3) from the start, not later


def test_the_previous_window_weighs_by_the_part_of_it_still_inside():
    budget = Budget(limit=10, previous=10, current=0)
    assert budget.hit(Window.at(NINE + timedelta(seconds=59), 600)) == 1  # 10 × (1 − 59/600) + 1 > 10
    assert budget.hit(Window.at(NINE + timedelta(seconds=60), 600)) == 0  # 10 × 0.9 + 1 = 10
    # Further in, more of the previous window's hits slid out: one more passes per 60 seconds.
    assert budget.hit(Window.at(NINE + timedelta(seconds=60), 600)) == 60


def test_retry_after_is_at_least_one_second():
    budget = Budget(limit=1, previous=1, current=0)
    assert budget.hit(Window.at(NINE + timedelta(seconds=599.9), 600)) == 1
