"""Bounded waits: every wait in the suite ends with a clear failure instead of hanging."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T] | T], *, timeout: float = 15.0, interval: float = 0.05,
                     what: str = "condition") -> T:
    """Poll `check` until it returns a truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last value: {result!r})")
        await asyncio.sleep(interval)


async def stays(check: Callable[[], Awaitable[bool] | bool], *, seconds: float, interval: float = 0.05,
                what: str = "condition") -> None:
    """Assert `check` keeps holding for `seconds` (e.g. nothing more arrives)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        assert result, f"{what} stopped holding"
        await asyncio.sleep(interval)
