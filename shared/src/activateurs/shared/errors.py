"""The chain of an exception's causes, each once: what a handler walks to tell a transient failure, a clash or a
bug apart, whatever wrapped the driver's error (SQLAlchemy's `orig`, `raise … from`, an error while handling)."""

from __future__ import annotations

from collections.abc import Iterator


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what caused it, and so on (a cycle ends the walk)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
