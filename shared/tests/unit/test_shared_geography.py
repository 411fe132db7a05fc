"""Departments, regions and time zones from postal codes: mainland, Corsica, overseas, and codes of no department."""

from __future__ import annotations

import pytest

from activateurs.shared.geography import department_of, region_of, timezone_of


@pytest.mark.parametrize(("postal_code", "department", "region"), [
    ("75011", "75", "11"), ("01000", "01", "84"), ("20000", "2A", "94"), ("20167", "2A", "94"),
    ("20200", "2B", "94"), ("20600", "2B", "94"), ("97100", "971", "01"), ("97300", "973", "03"),
    ("97400", "974", "04"), ("97600", "976", "06"), ("97500", "975", "975"), ("98714", "987", "987"),
    ("67000", "67", "44"), ("57000", "57", "44"), ("95000", "95", "11"), ("69003", "69", "84"),
])
def test_departments_and_regions(postal_code, department, region):
    assert department_of(postal_code) == department and region_of(department) == region


@pytest.mark.parametrize("postal_code", ["96000", "99000", "00000", "98000", "97900", "7501", "750011", "7501A"])
def test_postal_codes_without_a_department(postal_code):
    assert department_of(postal_code) is None


@pytest.mark.parametrize(("department", "zone"), [
    ("75", "Europe/Paris"), ("2A", "Europe/Paris"), ("971", "America/Guadeloupe"), ("973", "America/Cayenne"),
    ("974", "Indian/Reunion"), ("976", "Indian/Mayotte"), ("988", "Pacific/Noumea"),
])
def test_time_zones(department, zone):
    assert timezone_of(department) == zone
