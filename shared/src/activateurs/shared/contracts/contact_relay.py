"""Events produced by the contact-relay service (business contact requests)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime

from .base import Contract, Event


class RequestForwardedData(Contract):
    request_id: UUID
    structure_id: UUID
    ack_deadline: AwareDatetime
    received_at: AwareDatetime | None = None


class RequestForwarded(Event):
    event_type: Literal["contact_relay.request.forwarded.v1"]
    data: RequestForwardedData


class RequestStepData(Contract):
    request_id: UUID
    structure_id: UUID
    at: AwareDatetime


class RequestAcknowledged(Event):
    event_type: Literal["contact_relay.request.acknowledged.v1"]
    data: RequestStepData


class RequestOverdue(Event):
    event_type: Literal["contact_relay.request.overdue.v1"]
    data: RequestStepData


class RequestRedirected(Event):
    event_type: Literal["contact_relay.request.redirected.v1"]
    data: RequestStepData
