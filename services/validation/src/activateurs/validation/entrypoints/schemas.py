"""Request and response bodies of the validation API."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..domain.case import StructureState

MAX_MESSAGE = 10_000
MAX_REASON = 5_000
# PostgreSQL text cannot hold a NUL character: refused at the door (422) instead of failing in the database.
NO_NUL = r"^[^\x00]*$"

_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[Tt ]\d{2}:\d{2})")


def _iso_only(value: Any) -> Any:
    # Left lax, pydantic reads `to=0.5` as a Unix timestamp: only ISO 8601 dates and date-times pass.
    if isinstance(value, str) and not _ISO_INSTANT.match(value):
        raise ValueError("expected an ISO 8601 date-time or date, e.g. 2026-01-31T00:00:00Z or 2026-01-31")
    return value


# A date-time, or a date meaning its midnight (UTC).
IsoInstant = Annotated[datetime | date, BeforeValidator(_iso_only)]


class Problem(BaseModel):
    """Every error answer: a sentence, or, for malformed input (422), the list of what is wrong where."""

    detail: str | list[dict[str, Any]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE, pattern=NO_NUL)
    requests_information: bool = False


class ReplyIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE, pattern=NO_NUL)


class DecisionIn(Strict):
    decision: Literal["accepted", "refused"]
    reason: str | None = Field(default=None, max_length=MAX_REASON, pattern=NO_NUL)

    @model_validator(mode="after")
    def _refusal_has_a_reason(self) -> DecisionIn:
        if self.decision == "refused" and not self.reason:
            raise ValueError("a refusal needs a reason")
        return self


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=NO_NUL)


class PrecheckSummary(BaseModel):
    overall: Literal["pass", "fail", "to_check"]
    model_config = ConfigDict(extra="allow")


class CaseItem(BaseModel):
    dossier_id: UUID
    status: str
    revision: int
    structure_name: str
    department: str
    region: str
    submitted_at: datetime
    waiting_since: datetime
    respond_by: datetime | None
    precheck_summary: PrecheckSummary
    structure_id: UUID | None
    structure_state: str | None
    decided_at: datetime | None


class CasePage(BaseModel):
    items: list[CaseItem]
    total: int
    page: int
    page_size: int


class Precheck(BaseModel):
    code: str
    outcome: Literal["pass", "fail", "to_check"]
    evidence: str


class ThreadMessage(BaseModel):
    id: UUID
    author: Literal["dge", "applicant"]
    body: str
    requests_information: bool
    created_at: datetime


class AgentThreadMessage(ThreadMessage):
    author_id: str


class HistoryStep(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None


class RevisionRef(BaseModel):
    revision: int
    submitted_at: datetime
    received_at: datetime


class CaseDetail(BaseModel):
    dossier_id: UUID
    account_id: UUID
    status: str
    revision: int
    structure_name: str
    department: str
    region: str
    submitted_at: datetime
    waiting_since: datetime
    respond_by: datetime | None
    decided_at: datetime | None
    decision_reason: str | None
    structure_id: UUID | None
    structure_state: str | None
    engagement_expires_at: datetime | None
    charter_version: int
    precheck_summary: PrecheckSummary
    prechecks: list[Precheck]
    dossier: dict[str, Any]
    members: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    revisions: list[RevisionRef]
    previous_revision: int | None = Field(None, description="The revision before the current one (none for the first)")
    previous_dossier: dict[str, Any] | None = Field(
        None, description="That revision's structure snapshot, as `dossier`: what changed since, for the agent")
    thread: list[AgentThreadMessage]
    history: list[HistoryStep]


class MessageOut(ThreadMessage):
    status: str
    respond_by: datetime | None = None


class ApplicantThread(BaseModel):
    dossier_id: UUID
    status: str
    respond_by: datetime | None
    messages: list[ThreadMessage]
    decision_reason: str | None = None  # why the case was refused, as the refusal mail says it


class DecisionOut(BaseModel):
    dossier_id: UUID
    status: Literal["accepted", "refused"]
    decided_at: datetime
    reason: str | None
    structure_id: UUID | None = None
    engagement_expires_at: datetime | None = None


class SanctionOut(BaseModel):
    structure_id: UUID
    state: Literal["active", "suspended", "struck_off"]
    at: datetime
    reason: str


class AuditRecord(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject_id: str
    reason: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRecord]
    page: int
    page_size: int


class CharterVersionIn(Strict):
    text: str = Field(min_length=1, max_length=200_000, pattern=NO_NUL)
    acceptance_deadline: AwareDatetime


class CharterVersionOut(BaseModel):
    version: int
    acceptance_deadline: datetime
    published_at: datetime


class CampaignIn(Strict):
    year: int = Field(ge=2022, le=2100)
    url: str = Field(pattern=r"^https?://[^\x00]*$", max_length=2000)


class CampaignOut(BaseModel):
    campaign_id: UUID
    year: int
    url: str
    launched_at: datetime


class Waiting(BaseModel):
    to_review: int
    awaiting_applicant: int


class MonthDecisions(BaseModel):
    month: str
    accepted: int
    refused: int
    expired: int


class OverdueCount(BaseModel):
    structure_id: UUID
    structure_name: str | None
    overdue: int


class StructureItem(BaseModel):
    """An accepted structure as validation knows it: its case and its standing (`structure_state`)."""

    structure_id: UUID
    dossier_id: UUID
    structure_name: str
    department: str
    region: str
    structure_state: StructureState
    decided_at: datetime | None
    engagement_expires_at: datetime | None


class StructurePage(BaseModel):
    items: list[StructureItem]
    total: int
    page: int
    page_size: int


class StructureDetail(StructureItem):
    history: list[HistoryStep] = Field(
        description="Every step of its dossier, oldest first: submissions, information requests, decision, "
                    "sanctions, engagement renewals, withdrawal or cancellation.")


class AuditVerification(BaseModel):
    intact: bool
    records: int = Field(description="records the audit log holds")
    first_broken_seq: int | None = Field(description="the first record where the chain stops holding; null if intact")
    verified_at: datetime


class Statistics(BaseModel):
    since: datetime
    until: datetime
    region: str | None
    waiting: Waiting
    decisions_per_month: list[MonthDecisions]
    median_instruction_days: float | None = Field(
        description="Median days from submission to decision, time awaiting the applicant excluded.")
    overdue_acknowledgements: list[OverdueCount]
