"""The sweeper's statements, compiled once: claim-and-mark due requests in one statement, alternatives per batch.

Each claim locks its rows with SKIP LOCKED and changes their state in the same statement, so any
number of sweepers share the due rows and a row is fired by exactly one of them (the caller's
transaction also writes the events: all or nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from activateurs.shared.raw_sql import Compiled

from ..domain.requests import RequestStatus
from .requests import ONLINE
from .tables import contact_requests as r
from .tables import structures as s

_NOW = sa.bindparam("now", type_=sa.DateTime(timezone=True))
_BATCH = sa.bindparam("batch", type_=sa.Integer)

_RETURNED = (r.c.id, r.c.structure_id, r.c.company_name, r.c.contact_name, r.c.email, r.c.postal_code, r.c.domains,
             r.c.received_at, r.c.ack_deadline, r.c.timezone)


def _claim(due_when: Any, values: dict[str, Any]) -> Compiled:
    """UPDATE the first `batch` due rows nobody else holds; RETURNING them with their structure's routing."""
    due = (sa.select(r.c.id, s.c.name.label("structure_name"), s.c.contact_emails,
                     s.c.department.label("structure_department"), s.c.account_id.label("structure_account_id"))
           .join(s, s.c.structure_id == r.c.structure_id)
           .where(r.c.status == RequestStatus.FORWARDED.value, *due_when)
           .order_by(r.c.ack_deadline if "status" in values else r.c.reminder_at).limit(_BATCH)
           .with_for_update(of=r, skip_locked=True)
           .cte("due"))
    return Compiled(sa.update(r).where(r.c.id == due.c.id).values(**values)
                    .returning(*_RETURNED, due.c.structure_name, due.c.contact_emails, due.c.structure_department,
                               due.c.structure_account_id))


CLAIM_REMINDERS = _claim((r.c.reminder_sent_at.is_(None), r.c.reminder_at <= _NOW, r.c.ack_deadline > _NOW),
                         {"reminder_sent_at": _NOW})
CLAIM_DEADLINES = _claim((r.c.ack_deadline <= _NOW,), {"status": RequestStatus.OVERDUE.value, "overdue_at": _NOW})

# Alternatives to offer, for a whole batch: per (department, domain) the first `per_domain` online
# structures offering it, all in the order offered (name, then id). Enough for any request of the batch:
# a structure among its first n alternatives is preceded, among those offering its domain, only by
# other alternatives of the request or the structure left out, so it ranks at most n + 1 there.
_OFFERED = sa.func.unnest(s.c.domains).table_valued("domain").render_derived().alias("offered")
_RANKED = (sa.select(s.c.structure_id, s.c.department, s.c.domains, s.c.name, s.c.city, s.c.slug, s.c.profile_url,
                     sa.func.row_number().over(partition_by=(s.c.department, _OFFERED.c.domain),
                                               order_by=(s.c.name, s.c.structure_id)).label("rank"))
           .select_from(s).join(_OFFERED, sa.true())
           .where(ONLINE, s.c.department == sa.any_(sa.bindparam("departments", type_=ARRAY(sa.Text))),
                  _OFFERED.c.domain == sa.any_(sa.bindparam("domains", type_=ARRAY(sa.Text))))
           .subquery("ranked"))
ALTERNATIVE_CANDIDATES = Compiled(
    sa.select(*(column for column in _RANKED.c if column.name != "rank"))
    .where(_RANKED.c.rank <= sa.bindparam("per_domain", type_=sa.Integer))
    .order_by(_RANKED.c.name, _RANKED.c.structure_id))


async def claim_reminders(conn: asyncpg.Connection, now: datetime, batch: int) -> list[asyncpg.Record]:
    return await conn.fetch(CLAIM_REMINDERS.sql, *CLAIM_REMINDERS.args({"now": now, "batch": batch}))


async def claim_deadlines(conn: asyncpg.Connection, now: datetime, batch: int) -> list[asyncpg.Record]:
    return await conn.fetch(CLAIM_DEADLINES.sql, *CLAIM_DEADLINES.args({"now": now, "batch": batch}))


async def alternative_candidates(conn: asyncpg.Connection, departments: set[str], domains: set[str],
                                 per_domain: int) -> list[asyncpg.Record]:
    """See ALTERNATIVE_CANDIDATES; a structure offering several of the domains may come more than once."""
    if not departments or not domains:
        return []
    return await conn.fetch(ALTERNATIVE_CANDIDATES.sql, *ALTERNATIVE_CANDIDATES.args(
        {"departments": sorted(departments), "domains": sorted(domains), "per_domain": per_domain}))
