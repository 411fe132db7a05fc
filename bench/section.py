"""What a benchmark module returns to `make bench`: its part of the report and its figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    markdown: str
    figures: dict[str, Any] = field(default_factory=dict)
