"""Events produced by the registration service."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from .base import Contract, Event
from .dossier import DocumentRef, DossierSnapshot, MemberSnapshot, Profile


class DossierSubmittedData(Contract):
    dossier_id: UUID
    revision: int = Field(ge=1)
    account_id: UUID
    structure: DossierSnapshot
    members: list[MemberSnapshot] = Field(default_factory=list)
    documents: list[DocumentRef] = Field(default_factory=list)
    charter_version: int = Field(ge=1)
    submitted_at: AwareDatetime | None = None


class DossierSubmitted(Event):
    event_type: Literal["registration.dossier.submitted.v1"]
    data: DossierSubmittedData


class ProfileUpdatedData(Contract):
    structure_id: UUID
    profile: Profile


class ProfileUpdated(Event):
    event_type: Literal["registration.profile.updated.v1"]
    data: ProfileUpdatedData


class StructureLeftData(Contract):
    structure_id: UUID
    reason: str


class StructureWithdrawn(Event):
    event_type: Literal["registration.structure.withdrawn.v1"]
    data: StructureLeftData


class StructureCancelled(Event):
    event_type: Literal["registration.structure.cancelled.v1"]
    data: StructureLeftData


class MemberWithdrawnData(Contract):
    structure_id: UUID
    account_id: UUID


class MemberWithdrawn(Event):
    event_type: Literal["registration.member.withdrawn.v1"]
    data: MemberWithdrawnData


class EngagementRenewedData(Contract):
    structure_id: UUID
    engagement_expires_at: AwareDatetime


class EngagementRenewed(Event):
    event_type: Literal["registration.engagement.renewed.v1"]
    data: EngagementRenewedData


class AccountDeletedData(Contract):
    account_id: UUID
    structure_id: UUID | None = None


class AccountDeleted(Event):
    event_type: Literal["registration.account.deleted.v1"]
    data: AccountDeletedData
