"""Pure rules: departments from postal codes, file types by content, the problems of a draft."""

from __future__ import annotations

from datetime import date

import pytest

from activateurs.registration.domain.documents import sniff
from activateurs.registration.domain.dossier import DossierDraft, months_before, problems
from activateurs.registration.domain.geography import department_of, region_of


@pytest.mark.parametrize(("postal_code", "department", "region"), [
    ("75011", "75", "11"), ("01000", "01", "84"), ("20000", "2A", "94"), ("20167", "2A", "94"),
    ("20200", "2B", "94"), ("20600", "2B", "94"), ("97100", "971", "01"), ("97300", "973", "03"),
    ("97500", "975", "975"), ("98714", "987", "987"), ("67000", "67", "44"), ("95000", "95", "11"),
])
def test_departments_and_regions(postal_code, department, region):
    assert department_of(postal_code) == department and region_of(department) == region


@pytest.mark.parametrize("postal_code", ["96000", "99000", "00000", "98000", "97900", "7501", "750011", "7501A"])
def test_postal_codes_without_a_department(postal_code):
    assert department_of(postal_code) is None


def test_files_are_known_by_their_first_bytes():
    assert sniff(b"%PDF-1.4 ...") == "application/pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    for other in (b"MZ\x90\x00", b"\x7fELF", b"PK\x03\x04", b"GIF89a", b"", b" %PDF-"):
        assert sniff(other) is None


def test_six_months_back_keeps_to_the_calendar():
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 15), 6) == date(2025, 9, 15)


def test_six_months_of_activity_or_declared_experience():
    today = date(2026, 6, 1)
    draft = DossierDraft.model_validate({"structure": {"created_on": "2025-12-02"}})
    assert "structure.experience_declaration" in {p.field for p in problems(draft, today=today, document_kinds=set())}
    old_enough = DossierDraft.model_validate({"structure": {"created_on": "2025-12-01"}})
    fields = {p.field for p in problems(old_enough, today=today, document_kinds=set())}
    assert "structure.experience_declaration" not in fields and "structure.created_on" not in fields
