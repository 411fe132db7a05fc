"""Events produced by the validation service (the DGE's decisions)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from .base import Contract, Event
from .dossier import Profile


class InformationRequestedData(Contract):
    dossier_id: UUID
    account_id: UUID
    message: str
    respond_by: AwareDatetime


class InformationRequested(Event):
    event_type: Literal["validation.dossier.information_requested.v1"]
    data: InformationRequestedData


class DossierAcceptedData(Contract):
    dossier_id: UUID
    structure_id: UUID
    account_id: UUID
    profile: Profile
    accepted_at: AwareDatetime
    engagement_expires_at: AwareDatetime


class DossierAccepted(Event):
    event_type: Literal["validation.dossier.accepted.v1"]
    data: DossierAcceptedData


class DossierRefusedData(Contract):
    dossier_id: UUID
    account_id: UUID
    reason: str


class DossierRefused(Event):
    event_type: Literal["validation.dossier.refused.v1"]
    data: DossierRefusedData


class DossierExpiredData(Contract):
    dossier_id: UUID
    account_id: UUID


class DossierExpired(Event):
    event_type: Literal["validation.dossier.expired.v1"]
    data: DossierExpiredData


class SanctionData(Contract):
    structure_id: UUID
    reason: str


class StructureSuspended(Event):
    event_type: Literal["validation.structure.suspended.v1"]
    data: SanctionData


class StructureReinstated(Event):
    event_type: Literal["validation.structure.reinstated.v1"]
    data: SanctionData


class StructureStruckOff(Event):
    event_type: Literal["validation.structure.struck_off.v1"]
    data: SanctionData


class CharterPublishedData(Contract):
    version: int = Field(ge=1)
    text: str
    acceptance_deadline: AwareDatetime


class CharterPublished(Event):
    event_type: Literal["validation.charter.published.v1"]
    data: CharterPublishedData


class QuestionnaireLaunchedData(Contract):
    campaign_id: UUID
    year: int
    url: str


class QuestionnaireLaunched(Event):
    event_type: Literal["validation.questionnaire.launched.v1"]
    data: QuestionnaireLaunchedData
