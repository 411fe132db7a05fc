"""Runs a service's background loops (outbox relay, workers) and restarts one that crashes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from .db_unavailable import is_unavailable

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
            except Exception as error:
                if is_unavailable(error):  # a database restart: expected, and over once it is back up
                    log.warning("background loop %s: database unavailable (%s); restarting", name,
                                type(error).__name__)
                else:
                    log.exception("background loop %s crashed; restarting", name)
                await asyncio.sleep(restart_delay)

    def running(self) -> dict[str, bool]:
        return {name: not task.done() for name, task in self._tasks.items()}

    async def stop(self, patience: float = 10.0) -> None:
        """Cancel every loop, and cancel again one that is still running a second later (a loop
        may swallow one cancellation, e.g. inside a library's own timeout handling)."""
        tasks = list(self._tasks.values())
        deadline = asyncio.get_running_loop().time() + patience
        while pending := [task for task in tasks if not task.done()]:
            if asyncio.get_running_loop().time() > deadline:
                log.error("background loops did not stop: %s", ", ".join(t.get_name() for t in pending))
                break
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=1.0)
        self._tasks.clear()
