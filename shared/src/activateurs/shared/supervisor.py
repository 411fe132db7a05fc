"""Runs a service's background loops (outbox relay, workers) and restarts one that crashes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Supervisor:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, loop: Callable[[], Awaitable[None]], *, restart_delay: float = 1.0) -> None:
        self._tasks[name] = asyncio.create_task(self._keep_running(name, loop, restart_delay), name=name)

    async def _keep_running(self, name: str, loop: Callable[[], Awaitable[None]], restart_delay: float) -> None:
        while True:
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background loop %s crashed; restarting", name)
                await asyncio.sleep(restart_delay)

    def running(self) -> dict[str, bool]:
        return {name: not task.done() for name, task in self._tasks.items()}

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()
