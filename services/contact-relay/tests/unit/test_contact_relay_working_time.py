"""The 48 working-hour deadline of DOMAIN.md, table-driven: weekends, holidays by territory, time zones, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from activateurs.contact_relay.domain.working_time import (
    _TERRITORIES,
    MAINLAND,
    ack_schedule,
    add_working_time,
    is_working_day,
    territory_for,
)

PARIS = "Europe/Paris"


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


# (case, department, zone, received (local), expected deadline (local), expected reminder (local))
CASES = [
    ("ordinary tuesday", "75", PARIS, (2026, 3, 10, 9, 30), (2026, 3, 12, 9, 30), (2026, 3, 11, 9, 30)),
    ("friday afternoon", "75", PARIS, (2026, 3, 13, 16, 0), (2026, 3, 17, 16, 0), (2026, 3, 16, 16, 0)),
    ("saturday starts monday 00:00", "75", PARIS, (2026, 3, 14, 11, 0), (2026, 3, 18, 0, 0), (2026, 3, 17, 0, 0)),
    ("sunday late evening", "13", PARIS, (2026, 3, 15, 23, 59), (2026, 3, 18, 0, 0), (2026, 3, 17, 0, 0)),
    ("eve of 14 July", "69", PARIS, (2026, 7, 13, 15, 0), (2026, 7, 16, 15, 0), (2026, 7, 15, 15, 0)),
    ("Easter, mainland (DOMAIN.md)", "75", PARIS, (2026, 4, 2, 10, 0), (2026, 4, 7, 10, 0), (2026, 4, 3, 10, 0)),
    ("Easter, Moselle: Good Friday too", "57", PARIS, (2026, 4, 2, 10, 0), (2026, 4, 8, 10, 0), (2026, 4, 7, 10, 0)),
    ("Easter, Bas-Rhin: Good Friday too", "67", PARIS, (2026, 4, 2, 10, 0), (2026, 4, 8, 10, 0), (2026, 4, 7, 10, 0)),
    ("1 May on a Friday", "75", PARIS, (2026, 4, 30, 14, 0), (2026, 5, 5, 14, 0), (2026, 5, 4, 14, 0)),
    ("received on 1 May itself", "75", PARIS, (2026, 5, 1, 9, 0), (2026, 5, 6, 0, 0), (2026, 5, 5, 0, 0)),
    ("Christmas week, mainland", "75", PARIS, (2025, 12, 24, 12, 0), (2025, 12, 29, 12, 0), (2025, 12, 26, 12, 0)),
    ("Christmas week, Moselle: 26 December too", "57", PARIS, (2025, 12, 24, 12, 0), (2025, 12, 30, 12, 0),
     (2025, 12, 29, 12, 0)),
    ("Guadeloupe: abolition of slavery 27 May", "971", "America/Guadeloupe", (2026, 5, 26, 10, 0),
     (2026, 5, 29, 10, 0), (2026, 5, 28, 10, 0)),
    ("same days in mainland France", "75", PARIS, (2026, 5, 26, 10, 0), (2026, 5, 28, 10, 0), (2026, 5, 27, 10, 0)),
    ("Martinique: abolition 22 May then Whit Monday", "972", "America/Martinique", (2026, 5, 21, 9, 0),
     (2026, 5, 27, 9, 0), (2026, 5, 26, 9, 0)),
    ("Réunion: abolition 20 December", "974", "Indian/Reunion", (2027, 12, 17, 8, 0), (2027, 12, 22, 8, 0),
     (2027, 12, 21, 8, 0)),
    ("DST spring weekend", "75", PARIS, (2026, 3, 27, 15, 0), (2026, 3, 31, 15, 0), (2026, 3, 30, 15, 0)),
    ("DST autumn weekend", "75", PARIS, (2026, 10, 23, 15, 0), (2026, 10, 27, 15, 0), (2026, 10, 26, 15, 0)),
]


@pytest.mark.parametrize(("case", "department", "zone", "received", "deadline", "reminder"), CASES,
                         ids=[c[0] for c in CASES])
def test_deadline_table(case, department, zone, received, deadline, reminder):
    territory = territory_for(department)
    assert territory.timezone == zone
    # The service receives UTC instants: the rule must work from them, in the structure's own zone.
    received_utc = at(zone, *received).astimezone(UTC)
    schedule = ack_schedule(received_utc, territory)
    assert schedule.ack_deadline == at(zone, *deadline)
    assert schedule.reminder_at == at(zone, *reminder)
    local = schedule.ack_deadline.astimezone(ZoneInfo(zone))
    assert local.replace(tzinfo=None) == datetime(*deadline)
    assert schedule.reminder_at < schedule.ack_deadline


def test_dst_weekend_is_one_hour_shorter_in_real_time():
    received = at(PARIS, 2026, 3, 27, 15, 0)
    deadline = ack_schedule(received, MAINLAND).ack_deadline
    # 96 wall-clock hours, of which one never existed (subtracting in UTC: same-zone arithmetic is wall time).
    assert deadline.astimezone(UTC) - received.astimezone(UTC) == timedelta(hours=95)
    autumn = at(PARIS, 2026, 10, 23, 15, 0)
    assert ack_schedule(autumn, MAINLAND).ack_deadline.astimezone(UTC) - autumn.astimezone(UTC) == timedelta(hours=97)


def test_the_same_instant_counts_on_each_territorys_own_clock():
    # Tuesday 17 March (after Mi-Carême, a Guadeloupe holiday): 13:00 Paris, 08:00 Guadeloupe, 16:00 Réunion.
    instant = datetime(2026, 3, 17, 12, 0, tzinfo=UTC)
    for department, zone in (("75", PARIS), ("971", "America/Guadeloupe"), ("974", "Indian/Reunion")):
        assert ack_schedule(instant, territory_for(department)).ack_deadline == instant + timedelta(hours=48)
    # Friday 22:30 UTC is still Friday in Paris but already Saturday in Réunion: starts Monday 00:00 there.
    friday_night = datetime(2026, 3, 13, 22, 30, tzinfo=UTC)
    reunion = ack_schedule(friday_night, territory_for("974")).ack_deadline
    assert reunion == at("Indian/Reunion", 2026, 3, 18, 0, 0)
    assert ack_schedule(friday_night, MAINLAND).ack_deadline == at(PARIS, 2026, 3, 17, 23, 30)


def test_territories_and_time_zones():
    assert territory_for("75") == MAINLAND
    assert territory_for("2A") == MAINLAND
    assert territory_for("57").subdivision == "57"
    assert territory_for("68").subdivision == "6AE"
    assert territory_for("973").timezone == "America/Cayenne"
    assert territory_for("976").timezone == "Indian/Mayotte"
    assert territory_for("988").timezone == "Pacific/Noumea"
    # The routing data's zone is kept when explicit; the unset default does not drag a DOM onto Paris time.
    assert territory_for("974", "Europe/Paris").timezone == "Indian/Reunion"
    assert territory_for("75", "America/Cayenne").timezone == "America/Cayenne"
    assert territory_for("974", "Not/AZone").timezone == "Indian/Reunion"


def test_every_mapped_subdivision_is_known_to_the_holidays_library():
    known = set(holidays.France.subdivisions) | set(getattr(holidays.France, "subdivisions_aliases", {}))
    for department, territory in _TERRITORIES.items():
        assert territory.subdivision in known, department
        holidays.France(subdiv=territory.subdivision, years=2026)  # does not raise
        ZoneInfo(territory.timezone)


def test_working_days():
    assert is_working_day(datetime(2026, 4, 3).date(), MAINLAND)  # Good Friday: a working day in Paris
    assert not is_working_day(datetime(2026, 4, 3).date(), territory_for("57"))
    assert not is_working_day(datetime(2026, 5, 27).date(), territory_for("971"))
    assert is_working_day(datetime(2026, 5, 27).date(), MAINLAND)
    assert not is_working_day(datetime(2026, 3, 14).date(), MAINLAND)


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 3, 10, 9, 0), timedelta(hours=48), MAINLAND)
