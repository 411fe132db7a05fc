"""Waiting for an asyncio.Event with a time limit, in a way that never swallows a cancellation."""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """True if `event` was set within `timeout` seconds.

    Not `asyncio.wait_for`: before Python 3.12 it can swallow a cancellation that arrives just as
    the awaited event fires, and a background loop built on it then ignores its shutdown.
    """
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
        return True
    except TimeoutError:
        return False
