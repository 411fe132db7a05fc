"""Profile views and search appearances, counted in memory and flushed in batches (no write per read)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.db import Database

from ..adapters.tables import daily_counters

log = logging.getLogger(__name__)

_ADD = insert(daily_counters)
_ADD = _ADD.on_conflict_do_update(
    index_elements=["structure_id", "day"],
    set_={"views": daily_counters.c.views + _ADD.excluded.views,
          "appearances": daily_counters.c.appearances + _ADD.excluded.appearances})


class Counters:
    def __init__(self, db: Database, *, flush_seconds: float) -> None:
        self._db = db
        self._flush_seconds = flush_seconds
        self._views: Counter[tuple[UUID, date]] = Counter()
        self._appearances: Counter[tuple[UUID, date]] = Counter()

    def viewed(self, structure_id: UUID) -> None:
        self._views[(structure_id, self._db.clock.now().date())] += 1

    def appeared(self, structure_ids: Iterable[UUID]) -> None:
        today = self._db.clock.now().date()
        for structure_id in structure_ids:
            self._appearances[(structure_id, today)] += 1

    async def flush(self) -> None:
        views, appearances = self._views, self._appearances
        self._views, self._appearances = Counter(), Counter()
        keys = set(views) | set(appearances)
        if not keys:
            return
        rows = [{"structure_id": sid, "day": day, "views": views[(sid, day)],
                 "appearances": appearances[(sid, day)]} for sid, day in sorted(keys)]
        try:
            async with self._db.uow() as uow:
                await uow.session.execute(_ADD, rows)
                await uow.commit()
        except Exception:
            # Put them back: counted at the next flush rather than lost.
            self._views.update(views)
            self._appearances.update(appearances)
            raise

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self._flush_seconds)
                await self.flush()
        finally:
            try:
                await asyncio.shield(self.flush())
            except Exception:  # noqa: BLE001 - stopping: nothing more to do than say so
                log.warning("counters could not be flushed at shutdown")

    async def views_of(self, structure_id: UUID) -> int:
        async with self._db.sessions() as session:
            return int((await session.execute(
                sa.select(sa.func.coalesce(sa.func.sum(daily_counters.c.views), 0)).where(
                    daily_counters.c.structure_id == structure_id))).scalar_one())
