"""SQL for the emails table: store a request once, claim due mails, record outcomes, list deliveries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.delivery import DeliveryStatus
from .tables import emails


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


_INSERT_ONCE = (insert(emails).on_conflict_do_nothing(index_elements=[emails.c.idempotency_key])
                .returning(emails.c.id))  # built once: compiled and cached, each call binds its values


async def insert_once(session: AsyncSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Store requested emails; returns the ids of the rows stored (a known idempotency key stores nothing)."""
    if not rows:
        return set()
    result = await session.execute(_INSERT_ONCE, rows)
    return {row.id for row in result}


async def claim_due(session: AsyncSession, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedEmail]:
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
    result = await session.execute(
        sa.update(emails)
        .where(emails.c.id.in_(sa.select(due.c.id)))
        .values(status=DeliveryStatus.SENDING, lease_until=lease_until, attempts=emails.c.attempts + 1,
                claim_token=sa.func.gen_random_uuid())
        .returning(emails.c.id, emails.c.idempotency_key, emails.c.template, emails.c.recipient,
                   emails.c.raw_message, emails.c.message_id,
                   emails.c.attempts, emails.c.claim_token)
    )
    return [ClaimedEmail(**row._mapping) for row in result]


ERASED = "[effacé]"


def _finished(status: DeliveryStatus, **values: Any) -> dict[str, Any]:
    """Values of a row that is done: its message is no longer needed, and it is erased if its account was."""
    erase = emails.c.erase_after_send
    return {
        "status": status, "lease_until": None, "claim_token": None, "raw_message": None,
        "recipient": sa.case((erase, ERASED), else_=emails.c.recipient),
        "subject": sa.case((erase, None), else_=emails.c.subject),
        "account_id": sa.case((erase, None), else_=emails.c.account_id),
        **values,
    }


async def erase_account(session: AsyncSession, account_id: uuid.UUID) -> int:
    """Erase the personal data of an account's mails: now if done, right after sending if not."""
    done = await session.execute(
        sa.update(emails)
        .where(emails.c.account_id == account_id, emails.c.status.in_([DeliveryStatus.SENT, DeliveryStatus.FAILED]))
        .values(recipient=ERASED, subject=None, raw_message=None, account_id=None, correlation_id=None)
    )
    later = await session.execute(
        sa.update(emails).where(emails.c.account_id == account_id).values(erase_after_send=True)
    )
    return (done.rowcount or 0) + (later.rowcount or 0)


async def mark_sent(session: AsyncSession, claims: list[ClaimedEmail], now: datetime) -> list[ClaimedEmail]:
    """Record successes in one statement; returns the claims still owned (a lost claim records nothing)."""
    if not claims:
        return []
    result = await session.execute(
        sa.update(emails)
        .where(sa.tuple_(emails.c.id, emails.c.claim_token).in_([(c.id, c.claim_token) for c in claims]))
        .values(**_finished(DeliveryStatus.SENT, sent_at=now, last_error=None))
        .returning(emails.c.id)
    )
    recorded = {row.id for row in result}
    return [claim for claim in claims if claim.id in recorded]


async def mark_retry(session: AsyncSession, claim: ClaimedEmail, retry_at: datetime, error: str) -> None:
    await session.execute(
        sa.update(emails)
        .where(emails.c.id == claim.id, emails.c.claim_token == claim.claim_token)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=retry_at, lease_until=None, claim_token=None, last_error=error)
    )


async def mark_failed(session: AsyncSession, claim: ClaimedEmail, now: datetime, error: str) -> bool:
    result = await session.execute(
        sa.update(emails)
        .where(emails.c.id == claim.id, emails.c.claim_token == claim.claim_token)
        .values(**_finished(DeliveryStatus.FAILED, failed_at=now, last_error=error))
    )
    return result.rowcount == 1


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
