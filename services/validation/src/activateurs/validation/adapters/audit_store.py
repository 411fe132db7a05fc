"""The audit log's storage: appending a chained record, reading records back in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.audit import GENESIS, record_hash
from .tables import audit_log

# One chain: appenders take turns (a transaction-scoped lock), so two records never claim the same
# predecessor. Audited actions are human-paced, so the wait is nothing.
_CHAIN_LOCK = sa.text("SELECT pg_advisory_xact_lock(727100001)")
_LAST = sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)


async def append(session: AsyncSession, *, at: datetime, actor: str, action: str, subject_id: str,
                 reason: str | None, details: dict[str, Any]) -> dict[str, Any]:
    await session.execute(_CHAIN_LOCK)
    last = (await session.execute(_LAST)).first()
    seq, previous = (last.seq + 1, last.hash) if last else (1, GENESIS)
    record = {"seq": seq, "at": at, "actor": actor, "action": action, "subject_id": subject_id,
              "reason": reason, "details": details, "prev_hash": previous}
    record["hash"] = record_hash(previous, record)
    await session.execute(sa.insert(audit_log).values(**record))
    return record


async def records(session: AsyncSession, *, subject_id: str | None = None, limit: int | None = None,
                  offset: int = 0) -> list[dict[str, Any]]:
    query = sa.select(audit_log).order_by(audit_log.c.seq).offset(offset)
    if subject_id is not None:
        query = query.where(audit_log.c.subject_id == subject_id)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in await session.execute(query)]


async def count(session: AsyncSession) -> int:
    return (await session.execute(sa.select(sa.func.count()).select_from(audit_log))).scalar_one()


async def stream_all(session: AsyncSession, chunk: int = 1000) -> AsyncIterator[dict[str, Any]]:
    """Every record in chain order, read in chunks (the chain may be long)."""
    after = 0
    while True:
        rows = (await session.execute(sa.select(audit_log).where(audit_log.c.seq > after)
                                      .order_by(audit_log.c.seq).limit(chunk))).all()
        if not rows:
            return
        for row in rows:
            yield dict(row._mapping)
        after = rows[-1].seq
