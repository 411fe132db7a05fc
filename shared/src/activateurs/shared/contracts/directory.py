"""Events produced by the directory service (publication of profiles)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime

from .base import Contract, Event


class PublicationData(Contract):
    structure_id: UUID
    slug: str
    url: str
    at: AwareDatetime


class StructurePublished(Event):
    event_type: Literal["directory.structure.published.v1"]
    data: PublicationData


class StructureUnpublished(Event):
    event_type: Literal["directory.structure.unpublished.v1"]
    data: PublicationData


class PublicationOverdueData(Contract):
    structure_id: UUID
    accepted_at: AwareDatetime
    detected_at: AwareDatetime


class PublicationOverdue(Event):
    """A structure accepted (validation.dossier.accepted.v1 seen) and still not online 24 h later; sent once."""

    event_type: Literal["directory.structure.publication_overdue.v1"]
    data: PublicationOverdueData
