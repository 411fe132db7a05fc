"""The intake's hot path on the asyncpg connection itself: a routing read and two executemany, one transaction.

The statements are written once with SQLAlchemy (same tables, same `ONLINE` rule as everywhere else)
and compiled at import to the driver's SQL; each call only binds values. Going around the ORM
session saves most of the per-request CPU of the public intake (see bench/contact_relay_bench.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from activateurs.shared.raw_sql import Compiled

from .requests import ONLINE
from .tables import contact_requests, structures

ONLINE_BY_SLUGS = Compiled(
    sa.select(structures.c.structure_id, structures.c.account_id, structures.c.slug, structures.c.name, structures.c.department,
              structures.c.timezone, structures.c.contact_emails)
    .where(structures.c.slug == sa.any_(sa.bindparam("slugs", type_=ARRAY(sa.Text))), ONLINE))

REQUEST_COLUMNS = ("id", "structure_id", "company_name", "siret", "contact_name", "email", "phone", "postal_code",
                   "domains", "message", "status", "received_at", "reminder_at", "ack_deadline", "timezone")
INSERT_REQUEST = Compiled(sa.insert(contact_requests).values({c: sa.bindparam(c) for c in REQUEST_COLUMNS}))

async def online_structures(conn: asyncpg.Connection, slugs: Iterable[str]) -> list[asyncpg.Record]:
    return await conn.fetch(ONLINE_BY_SLUGS.sql, sorted(set(slugs)))


async def insert_requests(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.executemany(INSERT_REQUEST.sql, [INSERT_REQUEST.args(row) for row in rows])
