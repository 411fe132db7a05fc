"""The periodic jobs of the directory: the 24 h publication guard and the partner call log retention."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from activateurs.shared.db import Database

from .overdue import report_overdue
from .retention import purge_partner_calls

log = logging.getLogger(__name__)


class Maintenance:
    def __init__(self, db: Database, *, every_seconds: float, overdue_after: timedelta,
                 call_retention_months: int) -> None:
        self._db = db
        self._every = every_seconds
        self._overdue_after = overdue_after
        self._retention_months = call_retention_months

    async def run_once(self) -> None:
        await report_overdue(self._db, self._overdue_after)
        await purge_partner_calls(self._db, self._retention_months)

    async def run(self) -> None:
        """A background loop, a round every `every_seconds` (the first one after as long: a starting
        service has other things to do); a failed round is logged and tried again at the next one."""
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - the next round retries; the cause is in the log
                log.exception("directory maintenance round failed")
