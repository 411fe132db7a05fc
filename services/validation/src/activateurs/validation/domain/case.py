"""The review case's state machine: which action is allowed in which status, and where it leads."""

from __future__ import annotations

from enum import StrEnum

from activateurs.shared.contracts.vocabulary import ValidationStatus

OPEN = frozenset({ValidationStatus.TO_REVIEW, ValidationStatus.AWAITING_APPLICANT})
DECIDED = frozenset({ValidationStatus.ACCEPTED, ValidationStatus.REFUSED})


class StructureState(StrEnum):
    """A structure's standing once accepted (A8 sanctions)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    STRUCK_OFF = "struck_off"
    WITHDRAWN = "withdrawn"    # left the programme (registration.structure.withdrawn.v1)
    CANCELLED = "cancelled"    # engagement lapsed or charter not accepted (registration.structure.cancelled.v1)


GONE = frozenset({StructureState.STRUCK_OFF, StructureState.WITHDRAWN, StructureState.CANCELLED})


class Conflict(Exception):
    """The action does not fit the case's current state (answered 409)."""


def status_after_submission(status: ValidationStatus) -> ValidationStatus:
    """A newer revision reopens the review: after an information request, and after a refusal or an
    expiry (decided: a refused structure may apply again). An accepted case stays accepted."""
    return ValidationStatus.ACCEPTED if status == ValidationStatus.ACCEPTED else ValidationStatus.TO_REVIEW


def check_message(status: ValidationStatus, requests_information: bool) -> ValidationStatus:
    """The status after a DGE message."""
    if status not in OPEN:
        raise Conflict(f"the dossier is {status.value}: no more messages")
    if not requests_information:
        return status
    if status == ValidationStatus.AWAITING_APPLICANT:
        raise Conflict("information was already requested and the applicant has not answered yet")
    return ValidationStatus.AWAITING_APPLICANT


def check_reply(status: ValidationStatus) -> ValidationStatus:
    """The status after the applicant's reply: an answer brings the case back to review."""
    if status not in OPEN:
        raise Conflict(f"the dossier is {status.value}: the thread is closed")
    return ValidationStatus.TO_REVIEW


def check_decision(status: ValidationStatus) -> None:
    if status in DECIDED:
        raise Conflict(f"the dossier was already {status.value}")
    if status not in OPEN:
        raise Conflict(f"the dossier is {status.value}: it cannot be decided")


class Sanction(StrEnum):
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    STRIKE_OFF = "strike_off"


def check_sanction(state: StructureState, sanction: Sanction) -> StructureState:
    """Suspension until further notice, reinstatement, or strike-off for good (A8)."""
    if state in GONE:
        raise Conflict(f"the structure is {state.value.replace('_', ' ')}")
    if sanction == Sanction.SUSPEND:
        if state == StructureState.SUSPENDED:
            raise Conflict("the structure is already suspended")
        return StructureState.SUSPENDED
    if sanction == Sanction.REINSTATE:
        if state != StructureState.SUSPENDED:
            raise Conflict("the structure is not suspended")
        return StructureState.ACTIVE
    return StructureState.STRUCK_OFF
