"""Reading and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from activateurs.shared.db import Database

from ..adapters import audit_store
from ..domain.audit import GENESIS, record_hash


async def audit_records(db: Database, *, subject_id: str | None, page: int, page_size: int) -> list[dict[str, Any]]:
    async with db.sessions() as session:
        return await audit_store.records(session, subject_id=subject_id, limit=page_size,
                                         offset=(page - 1) * page_size)


@dataclass(frozen=True)
class Verification:
    records: int
    first_broken: int | None  # the seq where the chain stops holding

    @property
    def intact(self) -> bool:
        return self.first_broken is None


async def verify_chain(db: Database) -> Verification:
    """Recompute every hash from the start: an altered, removed or reordered record breaks the chain there."""
    previous, count, expected_seq = GENESIS, 0, 1
    async with db.sessions() as session:
        async for record in audit_store.stream_all(session):
            count += 1
            if (record["seq"] != expected_seq or record["prev_hash"] != previous
                    or record_hash(previous, record) != record["hash"]):
                return Verification(count, int(record["seq"]))
            previous, expected_seq = record["hash"], expected_seq + 1
    return Verification(count, None)


async def verification(db: Database) -> dict[str, Any]:
    """The chain checked now: whether it holds, how many records the log has, and the first broken one."""
    verified_at = db.clock.now()
    checked = await verify_chain(db)
    async with db.sessions() as session:
        total = await audit_store.count(session)
    return {"intact": checked.intact, "records": max(total, checked.records), "first_broken_seq": checked.first_broken,
            "verified_at": verified_at}
