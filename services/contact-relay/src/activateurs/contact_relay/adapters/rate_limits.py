"""The shared rate-limit counters: one statement bumps a batch of keys and reads their previous window.

Compiled once at import (see adapters/intake_store.py). Each statement runs alone, outside any explicit
transaction: no BEGIN/COMMIT round trips on the public hot path. Keys are bumped in key order, so
replicas bumping overlapping batches at once lock rows in the same order and cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert

from activateurs.shared.db import Database
from activateurs.shared.raw_sql import Compiled, connection

from .tables import rate_limits as t

# The keys and counts as two arrays (unnest) rather than VALUES rows: one statement text for any batch size.
_given = sa.func.unnest(sa.bindparam("keys", type_=ARRAY(sa.LargeBinary)),
                        sa.bindparam("counts", type_=ARRAY(sa.Integer))).table_valued("key", "hits").render_derived("given")
_add = insert(t).from_select(
    ["key", "window_start", "hits"],
    sa.select(_given.c.key, sa.bindparam("window_start", type_=t.c.window_start.type), _given.c.hits)
    .order_by(_given.c.key))
_upsert = _add.on_conflict_do_update(index_elements=[t.c.key, t.c.window_start],
                                     set_={"hits": t.c.hits + _add.excluded.hits})
ADD = Compiled(_upsert)

_bumped = _upsert.returning(t.c.key, t.c.hits).cte("bumped")
_previous = t.alias("previous")
# Every key's hits in this window once bumped, and its hits in the previous window (0 if none).
BUMP = Compiled(
    sa.select(_bumped.c.key, _bumped.c.hits, sa.func.coalesce(_previous.c.hits, sa.literal_column("0")).label("previous"))
    .select_from(_bumped.outerjoin(_previous, sa.and_(
        _previous.c.key == _bumped.c.key,
        _previous.c.window_start == sa.bindparam("previous_start", type_=t.c.window_start.type)))))

_old = (sa.select(t.c.key, t.c.window_start)
        .where(t.c.window_start < sa.bindparam("before", type_=t.c.window_start.type))
        .limit(sa.bindparam("batch", type_=sa.Integer)).with_for_update(skip_locked=True))
PURGE = Compiled(sa.delete(t).where(sa.tuple_(t.c.key, t.c.window_start).in_(_old.scalar_subquery())))


async def bump(db: Database, window_start: datetime, previous_start: datetime,
               counts: Mapping[bytes, int]) -> dict[bytes, tuple[int, int]]:
    """Add `counts` to this window's counters; key -> (hits in this window now, hits in the previous window)."""
    args = BUMP.args({"window_start": window_start, "previous_start": previous_start, "keys": list(counts),
                      "counts": list(counts.values())})
    async with connection(db) as conn:
        return {row["key"]: (row["hits"], row["previous"]) for row in await conn.fetch(BUMP.sql, *args)}


async def refund(db: Database, window_start: datetime, counts: Mapping[bytes, int]) -> None:
    """Take back hits counted for requests then refused: a refused attempt does not use up the budget."""
    args = ADD.args({"window_start": window_start, "keys": list(counts), "counts": [-n for n in counts.values()]})
    async with connection(db) as conn:
        await conn.execute(ADD.sql, *args)


async def purge(db: Database, before: datetime, batch: int) -> int:
    """Delete up to `batch` counters of windows that started before `before`; returns how many."""
    async with connection(db) as conn:
        status = await conn.execute(PURGE.sql, *PURGE.args({"before": before, "batch": batch}))
    return int(status.split()[-1])
