"""Sessions and their refresh tokens in the database: open, rotate, end, and check one is still open."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import refresh_tokens, sessions


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    session_id: uuid.UUID
    refresh_token: str
    refresh_expires_at: datetime


async def add_refresh_token(session: AsyncSession, session_id: uuid.UUID, now: datetime, idle: timedelta,
                            session_expires_at: datetime) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = min(now + idle, session_expires_at)
    await session.execute(sa.insert(refresh_tokens).values(token_hash=token_hash(token), session_id=session_id,
                                                           issued_at=now, expires_at=expires_at))
    return token, expires_at


async def open_session(session: AsyncSession, account_id: uuid.UUID, now: datetime, *, idle: timedelta,
                       lifetime: timedelta) -> Opened:
    session_id = uuid.uuid4()
    await session.execute(sa.insert(sessions).values(id=session_id, account_id=account_id, created_at=now,
                                                     expires_at=now + lifetime))
    token, expires_at = await add_refresh_token(session, session_id, now, idle, now + lifetime)
    return Opened(session_id, token, expires_at)


async def find_refresh_token(session: AsyncSession, token: str) -> Any:
    """The refresh token's row with its session's, the session locked (refreshes of one session queue up)."""
    return (await session.execute(
        sa.select(refresh_tokens.c.session_id, refresh_tokens.c.expires_at, refresh_tokens.c.rotated_at,
                  sessions.c.account_id, sessions.c.revoked_at, sessions.c.expires_at.label("session_expires_at"))
        .join(sessions, sessions.c.id == refresh_tokens.c.session_id)
        .where(refresh_tokens.c.token_hash == token_hash(token)).with_for_update(of=sessions))).first()


async def mark_rotated(session: AsyncSession, token: str, session_id: uuid.UUID, now: datetime) -> None:
    await session.execute(sa.update(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash(token))
                          .values(rotated_at=now))
    await session.execute(sa.update(sessions).where(sessions.c.id == session_id).values(refreshed_at=now))


async def revoke(session: AsyncSession, now: datetime, reason: str, *, session_id: uuid.UUID | None = None,
                 account_id: uuid.UUID | None = None, keep: uuid.UUID | None = None) -> int:
    """End one session, or every open session of an account but `keep`; the number ended."""
    condition = sessions.c.revoked_at.is_(None)
    if session_id is not None:
        condition &= sessions.c.id == session_id
    if account_id is not None:
        condition &= sessions.c.account_id == account_id
    if keep is not None:
        condition &= sessions.c.id != keep
    if session_id is None and account_id is None:
        raise ValueError("revoke needs a session or an account")
    result = await session.execute(sa.update(sessions).where(condition)
                                   .values(revoked_at=now, revoked_reason=reason))
    return result.rowcount


async def is_open(session: AsyncSession, session_id: uuid.UUID, account_id: uuid.UUID, now: datetime) -> bool:
    found = await session.execute(sa.select(sessions.c.id).where(
        sessions.c.id == session_id, sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > now))
    return found.first() is not None


async def forget_ended(session: AsyncSession, before: datetime) -> int:
    """Sessions ended or expired before `before` (their refresh tokens go with them)."""
    result = await session.execute(sa.delete(sessions).where(
        sa.or_(sessions.c.expires_at < before, sessions.c.revoked_at < before)))
    return result.rowcount
