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
