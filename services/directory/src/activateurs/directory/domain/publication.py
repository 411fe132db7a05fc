"""Whether a structure's profile is online, from events that may arrive late, twice or out of order.

Each kind of fact keeps the time of its latest occurrence, so the outcome does not depend on the
order of arrival:
- acceptance puts the profile online;
- suspension and reinstatement toggle it, the latest of the two winning;
- strike-off, withdrawal, cancellation and the referent's account deletion end it, whenever they
  arrive (a late reinstatement cannot resurrect it) — unless the structure is accepted again later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class Fact(StrEnum):
    ACCEPTED = "accepted"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    ENDED = "ended"  # struck off, withdrawn, cancelled, referent account deleted


@dataclass(frozen=True)
class PublicationState:
    accepted_at: datetime | None = None
    suspension_at: datetime | None = None
    suspended: bool = False
    ended_at: datetime | None = None

    @property
    def online(self) -> bool:
        if self.accepted_at is None or self.suspended:
            return False
        return self.ended_at is None or self.accepted_at > self.ended_at

    def apply(self, fact: Fact, at: datetime) -> PublicationState:
        """The state once `fact` (occurred at `at`) is known; an older fact than one already known is moot."""
        if fact is Fact.ACCEPTED:
            return self if self.accepted_at and self.accepted_at >= at else replace(self, accepted_at=at)
        if fact is Fact.ENDED:
            return self if self.ended_at and self.ended_at >= at else replace(self, ended_at=at)
        if self.suspension_at and self.suspension_at >= at:
            return self
        return replace(self, suspension_at=at, suspended=fact is Fact.SUSPENDED)


def newer(candidate: datetime, known: datetime | None) -> bool:
    """Profile contents: the latest version by occurrence time wins; a duplicate or older one changes nothing."""
    return known is None or candidate > known
