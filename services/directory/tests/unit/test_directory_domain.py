"""Pure rules of the directory: publication state under any arrival order, slugs, search criteria, geography."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from activateurs.directory.adapters.geography import load_geography
from activateurs.directory.domain.publication import Fact, PublicationState
from activateurs.directory.domain.search import InvalidSearch, check_text, joined_variants, locate
from activateurs.directory.domain.slugs import base_slug, disambiguated

T = datetime(2026, 1, 1, tzinfo=UTC)


def replay(facts: list[tuple[Fact, int]]) -> PublicationState:
    state = PublicationState()
    for fact, minute in facts:
        state = state.apply(fact, T + timedelta(minutes=minute))
    return state


@pytest.mark.parametrize(("history", "online"), [
    ([(Fact.ACCEPTED, 0)], True),
    ([(Fact.ACCEPTED, 0), (Fact.SUSPENDED, 1)], False),
    ([(Fact.ACCEPTED, 0), (Fact.SUSPENDED, 1), (Fact.REINSTATED, 2)], True),
    ([(Fact.ACCEPTED, 0), (Fact.SUSPENDED, 1), (Fact.REINSTATED, 2), (Fact.SUSPENDED, 3)], False),
    ([(Fact.ACCEPTED, 0), (Fact.ENDED, 1)], False),
    ([(Fact.ACCEPTED, 0), (Fact.SUSPENDED, 1), (Fact.ENDED, 2), (Fact.REINSTATED, 3)], False),
    ([(Fact.ACCEPTED, 0), (Fact.ENDED, 1), (Fact.ACCEPTED, 2)], True),  # accepted again later
])
def test_every_arrival_order_gives_the_same_outcome(history, online):
    outcomes = {replay(list(order)).online for order in itertools.permutations(history)}
    assert outcomes == {online}


def test_a_duplicate_fact_changes_nothing():
    state = replay([(Fact.ACCEPTED, 0), (Fact.SUSPENDED, 1)])
    assert state.apply(Fact.SUSPENDED, T + timedelta(minutes=1)) == state
    assert state.apply(Fact.REINSTATED, T) == state  # older than the suspension: moot


def test_slugs_are_readable_ascii_and_disambiguated_stably():
    assert base_slug("Numérique & Co", "Paris") == "numerique-et-co-paris"
    assert base_slug("L'Œil du Web !!", "Saint-Étienne") == "l-oeil-du-web-saint-etienne"
    assert base_slug("«»", "") == "activateur"
    sid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert disambiguated("x-paris", sid) == "x-paris-123456"


def test_query_variants_join_neighbouring_words():
    assert joined_variants("cyber securite")[0] == "cybersecurite"
    assert "audit cybersecurite" in joined_variants("audit cyber securite")
    assert len(joined_variants("un")) == len(joined_variants("a b c d e f g h i j"))


def test_text_criteria_reject_control_characters_and_length():
    assert check_text("  site web ") == "site web"
    assert check_text("   ") is None
    with pytest.raises(InvalidSearch):
        check_text("a\x00b")
    with pytest.raises(InvalidSearch):
        check_text("x" * 201)


def test_geography_covers_corsica_and_overseas():
    geo = load_geography()
    assert geo.version and "decoupage-administratif" in geo.source
    assert (geo.place("20000").department, geo.place("20000").region) == ("2A", "94")  # Ajaccio
    assert (geo.place("20200").department, geo.place("20200").region) == ("2B", "94")  # Bastia
    assert (geo.place("97400").department, geo.place("97400").region) == ("974", "04")  # Saint-Denis (Réunion)
    assert (geo.place("97600").department, geo.place("97600").region) == ("976", "06")  # Mamoudzou
    assert geo.place("98800").department == "988"  # Nouméa
    assert "Paris" in geo.place("75011").communes
    assert geo.place("00000") is None
    assert geo.region_name("94") == "Corse" and geo.department_name("2B") == "Haute-Corse"


def test_locate_takes_the_most_precise_place_and_refuses_contradictions():
    geo = load_geography()
    assert locate(geo, "69003", None, None).department == "69"
    assert locate(geo, None, "2a", None).region == "94"
    assert locate(geo, None, None, "04").department is None
    assert locate(geo, None, None, None) is None
    for args in [("7501", None, None), ("99999", None, None), (None, "20", None), (None, "2C", None),
                 (None, None, "99"), ("75011", "92", None), (None, "75", "84"), ("75011; DROP", None, None)]:
        with pytest.raises(InvalidSearch):
            locate(geo, *args)
