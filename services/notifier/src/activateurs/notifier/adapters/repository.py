"""SQL for the emails table: the claim and outcome rules, erasure, release, the delivery log (hot paths: hot_paths.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.delivery import DeliveryStatus
from .tables import deleted_accounts, emails


@dataclass(frozen=True)
class ClaimedEmail:
    id: uuid.UUID
    idempotency_key: str
    template: str
    recipient: str
    raw_message: bytes
    message_id: str
    attempts: int
    claim_token: uuid.UUID
    trace_context: str | None = None  # tracing.py's carrier: the SMTP span joins the request's trace


def due_claim(now: Any, lease_until: Any, limit: Any) -> sa.Update:
    """Reserve up to `limit` mails for this sender: due ones, and ones whose sender's lease ran out.

    SKIP LOCKED lets every replica claim at once without waiting on, or taking, each other's rows.
    The claim token makes a sender whose lease was taken over unable to record an outcome.
    """
    due = (
        sa.select(emails.c.id)
        .where(sa.or_(
            sa.and_(emails.c.status == DeliveryStatus.PENDING, emails.c.next_attempt_at <= now),
            sa.and_(emails.c.status == DeliveryStatus.SENDING, emails.c.lease_until <= now),
        ))
        .order_by(emails.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    return (
        sa.update(emails)
        .where(emails.c.id.in_(sa.select(due.c.id)))
        .values(status=DeliveryStatus.SENDING, lease_until=lease_until, attempts=emails.c.attempts + 1,
                claim_token=sa.func.gen_random_uuid())
        .returning(emails.c.id, emails.c.idempotency_key, emails.c.template, emails.c.recipient,
                   emails.c.raw_message, emails.c.message_id,
                   emails.c.attempts, emails.c.claim_token, emails.c.trace_context)
    )


ERASED = "[effacé]"
# What erasing a done mail's row writes: nothing left that names or reaches the person.
ERASED_VALUES: dict[str, Any] = {"recipient": ERASED, "subject": None, "raw_message": None, "account_id": None,
                                 "correlation_id": None}
DONE = (DeliveryStatus.SENT, DeliveryStatus.FAILED)


def finished_values(status: DeliveryStatus, **values: Any) -> dict[str, Any]:
    """Values of a row that is done: its message is no longer needed, and it is erased if its account was."""
    erase = emails.c.erase_after_send
    return {
        "status": status, "lease_until": None, "claim_token": None, "raw_message": None,
        "recipient": sa.case((erase, ERASED), else_=emails.c.recipient),
        "subject": sa.case((erase, None), else_=emails.c.subject),
        "account_id": sa.case((erase, None), else_=emails.c.account_id),
        "correlation_id": sa.case((erase, None), else_=emails.c.correlation_id),
        **values,
    }


# An account's deletion and the intake of a mail for it run in different transactions, from different
# queues: a lock on the account id (exclusive for the deletion, shared for the intake) orders them, so
# either the deletion's updates see the stored mail or the intake sees the deleted account, never neither.
_LOCK_EXCLUSIVE = sa.select(sa.func.pg_advisory_xact_lock(
    sa.func.hashtextextended(sa.cast(sa.bindparam("id", type_=sa.Uuid), sa.Text), 0)))


def erased_at_insert(row: dict[str, Any]) -> dict[str, Any]:
    """The row of a mail whose account is already deleted: erased now if it is done (rejected), else after sending."""
    if row["status"] in DONE:
        return {**row, **ERASED_VALUES, "erase_after_send": True}
    return {**row, "erase_after_send": True}


async def forget_deletions_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(sa.delete(deleted_accounts).where(deleted_accounts.c.deleted_at < cutoff))
    return result.rowcount or 0


_OLD_RECORDS = (sa.select(emails.c.id).where(
    emails.c.created_at < sa.bindparam("cutoff"), emails.c.status.in_(DONE),
    emails.c.recipient != ERASED).order_by(emails.c.created_at).limit(sa.bindparam("batch"))
    .with_for_update(skip_locked=True).scalar_subquery())


async def erase_records_before(session: AsyncSession, cutoff: datetime, batch: int) -> int:
    """Erase the personal data of up to `batch` delivery records of mails requested before `cutoff`."""
    result = await session.execute(
        sa.update(emails).where(emails.c.id.in_(_OLD_RECORDS)).values(ERASED_VALUES),
        {"cutoff": cutoff, "batch": batch})
    return result.rowcount or 0


async def erase_account(session: AsyncSession, account_id: uuid.UUID, now: datetime) -> int:
    """Erase the personal data of an account's mails: now if done, right after sending if not; and remember
    the deletion, for its mails requested later."""
    await session.execute(_LOCK_EXCLUSIVE, {"id": account_id})
    await session.execute(insert(deleted_accounts).values(account_id=account_id, deleted_at=now)
                          .on_conflict_do_nothing(index_elements=[deleted_accounts.c.account_id]))
    done = await session.execute(
        sa.update(emails)
        .where(emails.c.account_id == account_id, emails.c.status.in_(DONE)).values(ERASED_VALUES)
    )
    later = await session.execute(
        sa.update(emails).where(emails.c.account_id == account_id).values(erase_after_send=True)
    )
    return (done.rowcount or 0) + (later.rowcount or 0)


async def release(session: AsyncSession, claims: list[ClaimedEmail], now: datetime) -> None:
    """Give claimed, unattempted mails back: due now, and this attempt not counted."""
    for claim in claims:
        await session.execute(
            sa.update(emails)
            .where(emails.c.id == claim.id, emails.c.claim_token == claim.claim_token)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=now, lease_until=None, claim_token=None,
                    attempts=emails.c.attempts - 1)
        )


async def list_deliveries(session: AsyncSession, *, recipient: str | None, status: DeliveryStatus | None,
                          limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    conditions = []
    if recipient:
        conditions.append(sa.func.lower(emails.c.recipient) == recipient.strip().lower())
    if status:
        conditions.append(emails.c.status == status)
    columns = (emails.c.id, emails.c.idempotency_key, emails.c.template, emails.c.recipient, emails.c.status,
               emails.c.attempts, emails.c.last_error, emails.c.message_id, emails.c.requested_by,
               emails.c.created_at, emails.c.sent_at, emails.c.failed_at, emails.c.next_attempt_at)
    rows = await session.execute(
        sa.select(*columns).where(*conditions)
        .order_by(emails.c.created_at.desc(), emails.c.id).limit(limit).offset(offset)
    )
    total = (await session.execute(sa.select(sa.func.count()).select_from(emails).where(*conditions))).scalar_one()
    return [dict(row._mapping) for row in rows], total
