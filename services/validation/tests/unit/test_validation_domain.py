"""Pure rules: pre-checks, calendar months, geography, the case state machine, the audit hash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from activateurs.shared.contracts.vocabulary import ValidationStatus
from activateurs.shared.geography import timezone_of
from activateurs.validation.domain.audit import GENESIS, record_hash
from activateurs.validation.domain.calendar import add_months
from activateurs.validation.domain.case import (
    Conflict,
    Sanction,
    StructureState,
    check_decision,
    check_message,
    check_reply,
    check_sanction,
    status_after_submission,
)
from activateurs.validation.domain.prechecks import WebsiteHint, run_prechecks, summarize
from activateurs.validation.domain.profile import build_profile

from ..conftest import document, submitted

TODAY = date(2026, 4, 2)


def checks(**kwargs):
    event = submitted(**kwargs)
    return {c.code: c for c in run_prechecks(event.data, today=TODAY)}


@pytest.mark.parametrize(("siret", "outcome"), [
    ("73282932000074", "pass"), ("732 829 320 00074", "pass"),
    ("35600000000048", "pass"),   # La Poste head office
    ("35600000049837", "pass"),   # a La Poste establishment: digit sum multiple of 5, not Luhn
    ("35600000049838", "fail"), ("73282932000075", "fail"), ("1234", "fail"), ("ABCDEFGHIJKLMN", "fail"),
])
def test_siret_checksum_including_la_poste(siret, outcome):
    assert checks(structure={"siret": siret})["siret"].outcome == outcome


def test_without_siret_the_supporting_documents_decide():
    with_docs = checks(structure={"siret": None, "no_siret_reason": "entreprise de l'UE"},
                       documents=[document("justificatif_existence")])
    assert with_docs["siret"].outcome == "to_check" and "entreprise de l'UE" in with_docs["siret"].evidence
    assert with_docs["required_documents"].outcome == "pass"
    without = checks(structure={"siret": None}, documents=[])
    assert without["siret"].outcome == "fail" and without["required_documents"].outcome == "fail"


def test_six_months_of_activity_or_declared_experience():
    assert checks(structure={"created_on": "2025-10-01"})["activity"].outcome == "pass"
    assert checks(structure={"created_on": "2025-10-02"})["activity"].outcome == "fail"  # exactly 6 months
    young = checks(structure={"created_on": "2026-03-01", "experience_declaration": "10 ans en agence web"})
    assert young["activity"].outcome == "to_check"
    assert checks(structure={"created_on": None})["activity"].outcome == "fail"


def test_offer_declarations_and_optional_documents():
    assert checks(structure={"services": []})["offer"].outcome == "fail"
    assert checks(structure={"description": "   "})["offer"].evidence == "missing: description"
    found = checks(declarations={"obligations_up_to_date": False, "website_legal_compliance": False})
    assert [found[f"declaration_{d}"].outcome for d in
            ("obligations_up_to_date", "heads_agreement", "website_legal_compliance")] == ["fail", "pass", "fail"]
    complete = checks(documents=[document(k) for k in ("extrait_immatriculation", "attestation_urssaf",
                                                       "attestation_fiscale")])
    assert complete["optional_documents"].outcome == "pass"  # client references are in the structure
    bare = checks(structure={"client_references": []}, documents=[document("extrait_immatriculation")])
    assert bare["optional_documents"].outcome == "to_check"
    assert "client references" in bare["optional_documents"].evidence


def test_the_website_fetch_is_only_a_hint():
    event = submitted()
    found = run_prechecks(event.data, today=TODAY, website_hint=WebsiteHint(True, "link found"))
    missing = run_prechecks(event.data, today=TODAY, website_hint=WebsiteHint(False, "no link"))
    assert found[-1].outcome == "pass" and found[-1].evidence == "hint only: link found"
    assert missing[-1].outcome == "to_check"  # never a fail: the DGE decides
    assert summarize(found)["overall"] == "pass"
    assert summarize(missing) == {"overall": "to_check", "pass": 8, "fail": 0, "to_check": 1}


def test_calendar_months():
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert add_months(start, 3) == datetime(2027, 2, 28, 9, 0, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 4, 2, tzinfo=UTC), 24) == datetime(2028, 4, 2, tzinfo=UTC)
    assert add_months(datetime(2027, 12, 15, tzinfo=UTC), 1) == datetime(2028, 1, 15, tzinfo=UTC)


def test_profile_routes_to_the_referent_in_the_structure_time_zone():
    profile = build_profile(submitted(postal_code="97110", email="ref@example.fr").data)
    assert (profile.department, profile.region) == ("971", "01")
    assert profile.routing.contact_emails == ["ref@example.fr"] and profile.routing.timezone == timezone_of("971")
    assert profile.routing.timezone == "America/Guadeloupe"


def test_case_state_machine():
    assert check_message(ValidationStatus.TO_REVIEW, True) == ValidationStatus.AWAITING_APPLICANT
    assert check_message(ValidationStatus.AWAITING_APPLICANT, False) == ValidationStatus.AWAITING_APPLICANT
    assert check_reply(ValidationStatus.AWAITING_APPLICANT) == ValidationStatus.TO_REVIEW
    for closed in (ValidationStatus.ACCEPTED, ValidationStatus.REFUSED, ValidationStatus.EXPIRED):
        for action in (lambda s: check_message(s, False), check_reply, check_decision):
            with pytest.raises(Conflict):
                action(closed)
    assert status_after_submission(ValidationStatus.REFUSED) == ValidationStatus.TO_REVIEW
    assert status_after_submission(ValidationStatus.ACCEPTED) == ValidationStatus.ACCEPTED
    assert check_sanction(StructureState.ACTIVE, Sanction.SUSPEND) == StructureState.SUSPENDED
    assert check_sanction(StructureState.SUSPENDED, Sanction.STRIKE_OFF) == StructureState.STRUCK_OFF
    for state, sanction in ((StructureState.ACTIVE, Sanction.REINSTATE), (StructureState.SUSPENDED, Sanction.SUSPEND),
                            (StructureState.STRUCK_OFF, Sanction.REINSTATE)):
        with pytest.raises(Conflict):
            check_sanction(state, sanction)


def test_audit_hash_covers_every_field_and_the_previous_hash():
    at = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    record = {"seq": 1, "at": at, "actor": "dge_agent:a", "action": "dossier_refused", "subject_id": "d",
              "reason": "non", "details": {"revision": 1}}
    first = record_hash(GENESIS, record)
    # The same instant in another time zone hashes the same.
    paris = at.astimezone(timezone(timedelta(hours=2)))
    assert record_hash(GENESIS, {**record, "at": paris}) == first
    for field, other in (("reason", "oui"), ("actor", "dge_agent:b"), ("details", {"revision": 2}), ("seq", 2)):
        assert record_hash(GENESIS, {**record, field: other}) != first
    assert record_hash(first, record) != first


def test_instruction_time_leaves_out_the_wait_for_the_applicant():
    from activateurs.validation.domain.statistics import instruction_time, median_days

    day = timedelta(days=1)
    t0 = datetime(2026, 4, 2, tzinfo=UTC)
    steps = [(t0, "to_review"), (t0 + day, "awaiting_applicant"), (t0 + 11 * day, "to_review"),
             (t0 + 12 * day, None), (t0 + 13 * day, "accepted")]
    assert instruction_time(steps) == 3 * day
    assert instruction_time(steps[:3]) is None
    # Refused, then a new application decided later: only the new instruction counts.
    again = [(t0, "to_review"), (t0 + day, "refused"), (t0 + 30 * day, "to_review"), (t0 + 32 * day, "accepted")]
    assert instruction_time(again) == 2 * day
    assert median_days([day, 3 * day, 5 * day, 7 * day]) == 4.0 and median_days([]) is None
