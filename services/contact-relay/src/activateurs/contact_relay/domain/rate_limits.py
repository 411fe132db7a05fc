"""Sliding-window rate limits approximated from two fixed windows' counters (pure arithmetic, no I/O).

The hits of the previous fixed window count in proportion to the part of it still inside the sliding
window (as if they were spread evenly over it), plus all the hits of the current one. Two counters per
key instead of one timestamp per hit, at the price of a small error when hits bunch up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

# Float slack: 10 × 0.9 must compare as 9.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Window:
    """Where an instant falls among fixed windows of `length` seconds aligned on the epoch."""

    start: datetime
    previous_start: datetime
    elapsed: float  # seconds since `start`
    length: float

    @classmethod
    def at(cls, now: datetime, length: float) -> Window:
        index = math.floor(now.timestamp() / length)
        # Computed from the index alone, so every replica names a window by the same instant.
        return cls(start=datetime.fromtimestamp(index * length, UTC),
                   previous_start=datetime.fromtimestamp((index - 1) * length, UTC),
                   elapsed=now.timestamp() - index * length, length=length)

    def weight(self, previous: int) -> float:
        """The previous window's hits still counted now."""
        return previous * (1 - self.elapsed / self.length)


@dataclass
class Budget:
    """One key's budget in the current window, given its counters; spent hit by hit, in arrival order."""

    limit: int
    previous: int  # hits of the previous window
    current: int  # hits of the current window so far

    def hit(self, window: Window) -> int:
        """0 when allowed (and counted); else the whole seconds (≥ 1) until one more hit would be allowed."""
        if window.weight(self.previous) + self.current + 1 <= self.limit + _EPSILON:
            self.current += 1
            return 0
        return max(1, math.ceil(self._allowed_at(window) - window.elapsed - _EPSILON))

    def _allowed_at(self, window: Window) -> float:
        """Seconds from the window's start at which one more hit passes, if nothing else counts meanwhile."""
        room = self.limit - self.current - 1
        if room >= 0 and self.previous:  # later in this window, once enough of the previous one slid out
            return window.length * (1 - room / self.previous)
        # Not in this window (current ≥ limit): its hits become the previous ones and slide out in turn.
        return window.length * (2 - (self.limit - 1) / max(self.current, self.limit))
