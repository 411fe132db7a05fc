"""Partner use cases: issue, list and revoke keys, authenticate a call, read the incremental feed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa

from activateurs.shared.db import Database

from ..adapters.tables import partner_calls, partner_keys
from ..domain.partners import key_hash, new_key


@dataclass(frozen=True)
class IssuedKey:
    id: uuid.UUID
    organisation: str
    expires_at: datetime
    key: str


async def issue_key(db: Database, organisation: str, expires_at: datetime, created_by: str) -> IssuedKey:
    key = new_key()
    key_id = uuid.uuid4()
    async with db.uow() as uow:
        await uow.session.execute(sa.insert(partner_keys).values(
            id=key_id, organisation=organisation, key_hash=key_hash(key), created_by=created_by,
            created_at=db.clock.now(), expires_at=expires_at))
        await uow.commit()
    return IssuedKey(key_id, organisation, expires_at, key)


async def revoke_key(db: Database, key_id: uuid.UUID) -> bool:
    """False if there is no such key; revoking twice keeps the first revocation time."""
    async with db.uow() as uow:
        result = await uow.session.execute(
            sa.update(partner_keys).where(partner_keys.c.id == key_id)
            .values(revoked_at=sa.func.coalesce(partner_keys.c.revoked_at, db.clock.now())))
        await uow.commit()
    return result.rowcount == 1


async def list_keys(db: Database) -> list[dict[str, Any]]:
    """Every key issued, newest first: who for, by whom, its expiry and revocation; never the key nor its hash."""
    async with db.sessions() as session:
        rows = await session.execute(
            sa.select(partner_keys.c.id, partner_keys.c.organisation, partner_keys.c.created_at,
                      partner_keys.c.created_by, partner_keys.c.expires_at, partner_keys.c.revoked_at)
            .order_by(partner_keys.c.created_at.desc(), partner_keys.c.id))
        return [dict(row._mapping) for row in rows]


async def find_key(db: Database, key: str) -> dict[str, Any] | None:
    async with db.sessions() as session:
        row = (await session.execute(sa.select(partner_keys).where(
            partner_keys.c.key_hash == key_hash(key)))).mappings().first()
    return dict(row) if row else None


async def log_call(db: Database, key_id: uuid.UUID, path: str, outcome: str) -> None:
    async with db.uow() as uow:
        await uow.session.execute(sa.insert(partner_calls).values(key_id=key_id, at=db.clock.now(), path=path,
                                                                  outcome=outcome))
        await uow.commit()


RATE_WINDOW = timedelta(minutes=1)


async def admit_call(db: Database, key_id: uuid.UUID, path: str, per_minute: int) -> float | None:
    """Log the call, admitted if the key made fewer than `per_minute` admitted calls in the last minute; else
    the seconds until it may call again. Counted from the call log every replica writes, so the limit holds
    across replicas; a per-key transaction lock stops two replicas admitting the same last call."""
    now = db.clock.now()
    async with db.uow() as uow:
        session = uow.session
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(str(key_id), 0))))
        recent = (await session.execute(
            sa.select(partner_calls.c.at).where(partner_calls.c.key_id == key_id, partner_calls.c.outcome == "ok",
                                                partner_calls.c.at > now - RATE_WINDOW)
            .order_by(partner_calls.c.at.desc()).limit(per_minute))).scalars().all()
        admitted = len(recent) < per_minute
        await session.execute(sa.insert(partner_calls).values(key_id=key_id, at=now, path=path,
                                                              outcome="ok" if admitted else "rate_limited"))
        await uow.commit()
    # Full: the oldest of the last `per_minute` admitted calls leaves the window first.
    return None if admitted else (recent[-1] + RATE_WINDOW - now).total_seconds()


_FEED = ("SELECT structure_id, feed_seq, online, slug, public_json, changed_at FROM structures "
         "WHERE feed_seq > $1 AND published_at IS NOT NULL AND changed_at >= $2 AND changed_at <= $3 "
         "ORDER BY feed_seq LIMIT $4")


async def feed_page(pool: asyncpg.Pool, after: int, since: datetime, settled_before: datetime,
                    limit: int) -> list[asyncpg.Record]:
    """Changes after `after`, in order: each structure once, at its latest state (a tombstone if offline).

    Only changes older than `settled_before` are served: a transaction that took a sequence number
    earlier but commits a moment later must not be skipped by a cursor that already went past it.
    """
    async with pool.acquire() as conn:
        return await conn.fetch(_FEED, after, since, settled_before, limit)
