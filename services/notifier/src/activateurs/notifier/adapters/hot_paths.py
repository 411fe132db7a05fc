"""The per-mail database work (intake, claim, outcomes) on the asyncpg connection, statements compiled once.

Written with SQLAlchemy (same tables and rules as repository.py) and compiled at import to the
driver's SQL; each call only binds values, one round trip per step. Going around the ORM session
saves most of the notifier's SQL CPU per mail (see bench/notifier_throughput.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, insert

from activateurs.shared.raw_sql import Compiled

from ..domain.delivery import DeliveryStatus
from .repository import ClaimedEmail, due_claim, finished_values
from .tables import deleted_accounts, emails


def _array(name: str, item: Any) -> sa.BindParameter:
    return sa.bindparam(name, type_=ARRAY(item))


# Emails: stored once per idempotency key, as column arrays (one statement whatever the batch size).
EMAIL_COLUMNS: dict[str, Any] = {
    "id": sa.Uuid, "idempotency_key": sa.Text, "template": sa.Text, "recipient": sa.Text, "subject": sa.Text,
    "raw_message": BYTEA, "message_id": sa.Text, "status": sa.Text,
    "next_attempt_at": sa.DateTime(timezone=True), "last_error": sa.Text, "failed_at": sa.DateTime(timezone=True),
    "account_id": sa.Uuid, "erase_after_send": sa.Boolean, "requested_by": sa.Text, "request_event_id": sa.Uuid,
    "correlation_id": sa.Text, "trace_context": sa.Text, "created_at": sa.DateTime(timezone=True),
}
_EMAIL_ROWS = sa.func.unnest(*(_array(name, kind) for name, kind in EMAIL_COLUMNS.items())).table_valued(
    *EMAIL_COLUMNS).render_derived()
INSERT_EMAILS = Compiled(
    insert(emails).from_select(list(EMAIL_COLUMNS), sa.select(*(_EMAIL_ROWS.c[name] for name in EMAIL_COLUMNS)))
    .on_conflict_do_nothing(index_elements=[emails.c.idempotency_key]).returning(emails.c.id))

_ACCOUNT_IDS = sa.func.unnest(_array("ids", sa.Uuid)).table_valued("account_id").render_derived()
LOCK_ACCOUNTS_SHARED = Compiled(sa.select(sa.func.pg_advisory_xact_lock_shared(
    sa.func.hashtextextended(sa.cast(_ACCOUNT_IDS.c.account_id, sa.Text), 0))))
DELETED_AMONG = Compiled(sa.select(deleted_accounts.c.account_id).where(
    deleted_accounts.c.account_id == sa.any_(_array("ids", sa.Uuid))))


CLAIM_DUE = Compiled(due_claim(sa.bindparam("now", type_=sa.DateTime(timezone=True)),
                               sa.bindparam("lease_until", type_=sa.DateTime(timezone=True)),
                               sa.bindparam("limit", type_=sa.Integer)))

_CLAIMS = sa.func.unnest(_array("ids", sa.Uuid), _array("tokens", sa.Uuid)).table_valued(
    "id", "token").render_derived()
MARK_SENT = Compiled(
    sa.update(emails).where(emails.c.id == _CLAIMS.c.id, emails.c.claim_token == _CLAIMS.c.token)
    .values(**finished_values(DeliveryStatus.SENT, sent_at=sa.bindparam("now", type_=sa.DateTime(timezone=True)),
                              last_error=None))
    .returning(emails.c.id))
_ONE_CLAIM = (emails.c.id == sa.bindparam("id", type_=sa.Uuid),
              emails.c.claim_token == sa.bindparam("token", type_=sa.Uuid))
MARK_RETRY = Compiled(
    sa.update(emails).where(*_ONE_CLAIM)
    .values(status=DeliveryStatus.PENDING.value, next_attempt_at=sa.bindparam("retry_at", type_=sa.DateTime(timezone=True)),
            lease_until=None, claim_token=None, last_error=sa.bindparam("error", type_=sa.Text)))
MARK_FAILED = Compiled(
    sa.update(emails).where(*_ONE_CLAIM)
    .values(**finished_values(DeliveryStatus.FAILED, failed_at=sa.bindparam("now", type_=sa.DateTime(timezone=True)),
                              last_error=sa.bindparam("error", type_=sa.Text)))
    .returning(emails.c.id))

async def deleted_among(conn: asyncpg.Connection, account_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these accounts are deleted; the shared lock (see repository) keeps them so until commit."""
    if not account_ids:
        return set()
    ids = sorted(account_ids)
    await conn.execute(LOCK_ACCOUNTS_SHARED.sql, *LOCK_ACCOUNTS_SHARED.args({"ids": ids}))
    return {row[0] for row in await conn.fetch(DELETED_AMONG.sql, *DELETED_AMONG.args({"ids": ids}))}


async def insert_once(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Store requested emails; the ids of the rows stored (a known idempotency key stores nothing)."""
    if not rows:
        return set()
    columns = {name: [row[name] for row in rows] for name in EMAIL_COLUMNS}
    return {row[0] for row in await conn.fetch(INSERT_EMAILS.sql, *INSERT_EMAILS.args(columns))}


async def claim_due(conn: asyncpg.Connection, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedEmail]:
    rows = await conn.fetch(CLAIM_DUE.sql, *CLAIM_DUE.args({"now": now, "lease_until": lease_until, "limit": limit}))
    return [ClaimedEmail(**dict(row.items())) for row in rows]


async def mark_sent(conn: asyncpg.Connection, claims: Sequence[ClaimedEmail], now: datetime) -> list[ClaimedEmail]:
    """Record successes in one statement; the claims still owned (a lost claim records nothing)."""
    if not claims:
        return []
    rows = await conn.fetch(MARK_SENT.sql, *MARK_SENT.args(
        {"ids": [c.id for c in claims], "tokens": [c.claim_token for c in claims], "now": now}))
    recorded = {row[0] for row in rows}
    return [claim for claim in claims if claim.id in recorded]


async def mark_retry(conn: asyncpg.Connection, claim: ClaimedEmail, retry_at: datetime, error: str) -> None:
    await conn.execute(MARK_RETRY.sql, *MARK_RETRY.args(
        {"id": claim.id, "token": claim.claim_token, "retry_at": retry_at, "error": error}))


async def mark_failed(conn: asyncpg.Connection, claim: ClaimedEmail, now: datetime, error: str) -> bool:
    rows = await conn.fetch(MARK_FAILED.sql, *MARK_FAILED.args(
        {"id": claim.id, "token": claim.claim_token, "now": now, "error": error}))
    return len(rows) == 1
