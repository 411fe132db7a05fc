"""Pure rules: file types by content, the problems of a draft."""

from __future__ import annotations

from datetime import date

from activateurs.registration.domain.documents import sniff
from activateurs.registration.domain.dossier import DossierDraft, months_before, problems
from activateurs.registration.domain.example import EXAMPLE_DOSSIER


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


def test_the_documented_example_is_complete_once_its_registration_extract_is_attached():
    example = DossierDraft.model_validate(EXAMPLE_DOSSIER)
    assert [p.field for p in problems(example, today=date(2026, 6, 1), document_kinds=set())] == ["documents"]
    assert problems(example, today=date(2026, 6, 1), document_kinds={"extrait_immatriculation"}) == []
    assert DossierDraft.model_json_schema()["examples"] == [EXAMPLE_DOSSIER]  # shown in the OpenAPI document
