"""Emailed account links (password reset, email change) in the database: recorded, then used at most once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import account_links as t

PASSWORD_RESET = "password_reset"
EMAIL_CHANGE = "email_change"


async def record(session: AsyncSession, account_id: uuid.UUID, purpose: str, now: datetime, expires_at: datetime,
                 *, new_email: str | None = None) -> uuid.UUID:
    link_id = uuid.uuid4()
    await session.execute(sa.insert(t).values(id=link_id, account_id=account_id, purpose=purpose,
                                              new_email=new_email, created_at=now, expires_at=expires_at))
    return link_id


async def use(session: AsyncSession, link_id: uuid.UUID, account_id: uuid.UUID, purpose: str,
              now: datetime) -> Any:
    """The link's row, now marked used; None if it is unknown, someone else's, used already or expired."""
    return (await session.execute(
        sa.update(t).where(t.c.id == link_id, t.c.account_id == account_id, t.c.purpose == purpose,
                           t.c.used_at.is_(None), t.c.expires_at > now)
        .values(used_at=now).returning(t.c.id, t.c.new_email))).first()


async def void_all(session: AsyncSession, account_id: uuid.UUID, purpose: str, now: datetime) -> None:
    """Every link of `purpose` still unused stops working (the password or address it was for has changed)."""
    await session.execute(sa.update(t).where(t.c.account_id == account_id, t.c.purpose == purpose,
                                             t.c.used_at.is_(None)).values(used_at=now))


async def forget_expired(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(sa.delete(t).where(t.c.expires_at < before))
    return result.rowcount

