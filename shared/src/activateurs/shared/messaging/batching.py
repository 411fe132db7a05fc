"""Group commit: concurrent handlers hand their items to one transaction, and each waits for its own result."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from .. import db_retry
from .consumer import is_transient

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class GroupCommitter(Generic[T, R]):
    """Batches items submitted concurrently (e.g. by consumers with a prefetch > 1).

    `store(items)` writes a whole batch in one transaction and returns one result per item. A
    caller gets its result only once that transaction committed, so a consumer acks after the
    commit as usual. While one batch is being written, the next one gathers: under load,
    batches grow by themselves; when idle, an item waits for no timer.

    If a batch fails for a reason that is not transient, each item is retried alone, so one bad
    item fails only its own message, not its neighbours'.

    A batch that sent its commit (whatever came of it) makes every caller's own run unrepeatable
    (db_retry): the batch runs in another task, so each caller would not know otherwise.
    """

    def __init__(self, store: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *, max_batch: int = 100) -> None:
        self._store = store
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[R], db_retry.Attempt | None]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future, db_retry.current()))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        # Shielded: a caller cancelled (shutdown) does not cancel its neighbours' transaction.
        return await asyncio.shield(future)

    async def _write_all(self) -> None:
        await asyncio.sleep(0)  # let the deliveries of this loop iteration join the first batch
        while self._pending:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch:]
            await self._write(batch)

    async def _write(self, batch: list[tuple[T, asyncio.Future[R], db_retry.Attempt | None]]) -> None:
        try:
            results = await self._stored(batch)
        except Exception as error:
            if len(batch) > 1 and not is_transient(error):
                log.warning("group commit: a batch of %d failed (%s); writing its items one by one",
                            len(batch), type(error).__name__)
                for entry in batch:
                    await self._write([entry])
                return
            for _, future, _ in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future, _), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _stored(self, batch: list[tuple[T, asyncio.Future[R], db_retry.Attempt | None]]) -> Sequence[R]:
        with db_retry.attempt(detached=True) as run:
            try:
                return await self._store([item for item, _, _ in batch])
            finally:
                if run.unrepeatable:
                    for _, _, caller in batch:
                        if caller is not None:
                            caller.mark_unrepeatable(run.unrepeatable)
