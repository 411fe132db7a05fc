"""Request and response bodies of the validation API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MAX_MESSAGE = 10_000
MAX_REASON = 5_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE)
    requests_information: bool = False


class ReplyIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE)


class DecisionIn(Strict):
    decision: Literal["accepted", "refused"]
    reason: str | None = Field(default=None, max_length=MAX_REASON)

    @model_validator(mode="after")
    def _refusal_has_a_reason(self) -> DecisionIn:
        if self.decision == "refused" and not self.reason:
            raise ValueError("a refusal needs a reason")
        return self


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=MAX_REASON)


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
    text: str = Field(min_length=1, max_length=200_000)
    acceptance_deadline: AwareDatetime


class CharterVersionOut(BaseModel):
    version: int
    acceptance_deadline: datetime
    published_at: datetime


class CampaignIn(Strict):
    year: int = Field(ge=2022, le=2100)
    url: str = Field(pattern=r"^https?://", max_length=2000)


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


class Statistics(BaseModel):
    since: datetime
    until: datetime
    region: str | None
    waiting: Waiting
    decisions_per_month: list[MonthDecisions]
    median_instruction_days: float | None = Field(
        description="Median days from submission to decision, time awaiting the applicant excluded.")
    overdue_acknowledgements: list[OverdueCount]
