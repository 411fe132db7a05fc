"""Automatic pre-checks of a submitted revision (A2 eligibility): pass / fail / to_check, each with its evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from stdnum.fr import siret as siret_number

from activateurs.shared.contracts.registration import DossierSubmittedData
from activateurs.shared.contracts.vocabulary import DocumentKind

from .calendar import add_months_to_date


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    TO_CHECK = "to_check"


@dataclass(frozen=True)
class Check:
    code: str
    outcome: Outcome
    evidence: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WebsiteHint:
    """What the optional website fetch found; `None` in `run_prechecks` means it was not attempted."""

    legal_notice_found: bool
    detail: str


def run_prechecks(data: DossierSubmittedData, *, today: date, website_hint: WebsiteHint | None = None) -> list[Check]:
    """Every check of one revision, in a stable order. `today` is the submission day."""
    return [
        _siret(data),
        _activity(data, today),
        _offer(data),
        *_declarations(data),
        _required_documents(data),
        _optional_documents(data),
        _website(data, website_hint),
    ]


def summarize(checks: list[dict[str, Any]] | list[Check]) -> dict[str, Any]:
    """Counts per outcome and the overall verdict (fail beats to_check beats pass)."""
    outcomes = [c.outcome if isinstance(c, Check) else c["outcome"] for c in checks]
    counts = {o.value: outcomes.count(o.value) for o in Outcome}
    overall = Outcome.FAIL if counts["fail"] else Outcome.TO_CHECK if counts["to_check"] else Outcome.PASS
    return {"overall": overall.value, **counts}


def _kinds(data: DossierSubmittedData) -> set[DocumentKind]:
    return {document.kind for document in data.documents}


def _siret(data: DossierSubmittedData) -> Check:
    structure = data.structure.structure
    if structure.siret:
        if siret_number.is_valid(structure.siret):
            return Check("siret", Outcome.PASS, f"SIRET {siret_number.compact(structure.siret)}: checksum valid")
        return Check("siret", Outcome.FAIL, "SIRET checksum invalid")
    if DocumentKind.JUSTIFICATIF_EXISTENCE in _kinds(data):
        reason = structure.no_siret_reason or "no reason given"
        return Check("siret", Outcome.TO_CHECK,
                     f"no SIRET ({reason}); supporting documents present, to be read")
    return Check("siret", Outcome.FAIL, "no SIRET and no supporting document (justificatif_existence)")


def _activity(data: DossierSubmittedData, today: date) -> Check:
    structure = data.structure.structure
    if structure.created_on is not None and add_months_to_date(structure.created_on, 6) < today:
        return Check("activity", Outcome.PASS, f"created on {structure.created_on.isoformat()}: more than 6 months")
    if structure.experience_declaration and structure.experience_declaration.strip():
        created = structure.created_on.isoformat() if structure.created_on else "unknown"
        return Check("activity", Outcome.TO_CHECK,
                     f"created on {created}: less than 6 months; declared experience to be assessed")
    if structure.created_on is None:
        return Check("activity", Outcome.FAIL, "no creation date and no declared experience")
    return Check("activity", Outcome.FAIL,
                 f"created on {structure.created_on.isoformat()}: less than 6 months, no declared experience")


def _offer(data: DossierSubmittedData) -> Check:
    structure = data.structure.structure
    missing = [name for name, present in (("domain", structure.domains), ("kind of service", structure.services),
                                          ("description", structure.description.strip())) if not present]
    if missing:
        return Check("offer", Outcome.FAIL, "missing: " + ", ".join(missing))
    return Check("offer", Outcome.PASS,
                 f"{len(structure.domains)} domain(s), {len(structure.services)} kind(s) of service, a description")


_DECLARATIONS = (
    ("obligations_up_to_date", "up to date with social and fiscal obligations"),
    ("heads_agreement", "the structure's heads agreed to the membership"),
    ("website_legal_compliance", "the website shows legal notices and respects the GDPR"),
)


def _declarations(data: DossierSubmittedData) -> list[Check]:
    declarations = data.structure.declarations
    return [
        Check(f"declaration_{field}", Outcome.PASS, f"declared: {text}") if getattr(declarations, field)
        else Check(f"declaration_{field}", Outcome.FAIL, f"not declared: {text}")
        for field, text in _DECLARATIONS
    ]


def _required_documents(data: DossierSubmittedData) -> Check:
    kinds = _kinds(data)
    needed = DocumentKind.EXTRAIT_IMMATRICULATION if data.structure.structure.siret else DocumentKind.JUSTIFICATIF_EXISTENCE
    if needed in kinds:
        return Check("required_documents", Outcome.PASS, f"{needed.value} present")
    if data.structure.structure.siret and DocumentKind.JUSTIFICATIF_EXISTENCE in kinds:
        return Check("required_documents", Outcome.TO_CHECK,
                     "no extrait_immatriculation; a justificatif_existence is present instead")
    return Check("required_documents", Outcome.FAIL, f"missing: {needed.value}")


def _optional_documents(data: DossierSubmittedData) -> Check:
    kinds = _kinds(data)
    missing = [kind.value for kind in (DocumentKind.ATTESTATION_URSSAF, DocumentKind.ATTESTATION_FISCALE)
               if kind not in kinds]
    if DocumentKind.REFERENCE_CLIENT not in kinds and not data.structure.structure.client_references:
        missing.append("client references")
    if missing:
        return Check("optional_documents", Outcome.TO_CHECK, "not provided: " + ", ".join(missing))
    return Check("optional_documents", Outcome.PASS, "social and fiscal attestations and client references present")


def _website(data: DossierSubmittedData, hint: WebsiteHint | None) -> Check:
    if not data.structure.structure.website:
        return Check("website_legal_notice", Outcome.TO_CHECK, "no website given")
    if hint is None:
        return Check("website_legal_notice", Outcome.TO_CHECK, "website not fetched (check disabled): to check by hand")
    outcome = Outcome.PASS if hint.legal_notice_found else Outcome.TO_CHECK
    return Check("website_legal_notice", outcome, f"hint only: {hint.detail}")
