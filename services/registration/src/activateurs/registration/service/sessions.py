"""Sessions: opened at sign-in, renewed by a rotating refresh token (a reused one ends the session), ended at sign-out
or by a password change; the access tokens they issue carry the account's current claims and the session id."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from activateurs.shared.auth import InvalidToken, Principal
from activateurs.shared.contracts.vocabulary import Role
from activateurs.shared.db import Database

from ..adapters import sessions as store
from ..adapters.tables import accounts, dossiers
from .context import Deps
from .keys import KeyRing
from .people import membership

log = logging.getLogger(__name__)


class SessionEnded(Exception):
    """The refresh token is unknown, expired, or its session was signed out or revoked."""


class RefreshTokenReused(SessionEnded):
    """A refresh token already exchanged was presented again: someone holds a copy, so the session is ended."""


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


async def token_claims(deps: Deps, account: Any) -> dict[str, Any]:
    """The claims of an access token, read now: a refreshed token follows the account (structure, roles)."""
    claims: dict[str, Any] = {"sub": str(account.id), "roles": list(account.roles)}
    if Role.ACTIVATOR.value in account.roles:
        async with deps.db.sessions() as session:
            structure_id = (await session.execute(sa.select(dossiers.c.structure_id)
                                                  .where(dossiers.c.account_id == account.id))).scalar()
            if structure_id is None:  # a member acts within the structure of the dossier they joined
                joined = await membership(session, account.id)
                structure_id = joined.structure_id if joined else None
        if structure_id:
            claims["structure_id"] = str(structure_id)
    if Role.DREETS_AGENT.value in account.roles and account.region:
        claims["region"] = account.region
    return claims


async def _issued(deps: Deps, account: Any, session_id: uuid.UUID, refresh_token: str, refresh_expires_at: Any,
                  now: Any) -> IssuedSession:
    ttl = deps.settings.access_token_seconds
    claims = {**await token_claims(deps, account), "sid": str(session_id)}
    return IssuedSession(await deps.keys.sign(claims, now, ttl), ttl, refresh_token,
                         int((refresh_expires_at - now).total_seconds()))


def _lifetimes(deps: Deps) -> dict[str, timedelta]:
    return {"idle": timedelta(days=deps.settings.refresh_token_days),
            "lifetime": timedelta(days=deps.settings.session_days)}


async def open_session(deps: Deps, account: Any) -> IssuedSession:
    """A new session for an account whose credentials were just checked."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        opened = await store.open_session(uow.session, account.id, now, **_lifetimes(deps))
        issued = await _issued(deps, account, opened.session_id, opened.refresh_token, opened.refresh_expires_at, now)
        await uow.commit()
    return issued


async def refresh(deps: Deps, refresh_token: str) -> IssuedSession:
    """A new access token with the account's current claims, and the refresh token that replaces this one."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await store.find_refresh_token(uow.session, refresh_token)
        if row is None:
            raise SessionEnded("unknown refresh token")
        if row.revoked_at is not None:
            raise SessionEnded("this session has ended (signed out, password changed or reset)")
        if row.rotated_at is not None:
            await store.revoke(uow.session, now, "refresh_token_reused", session_id=row.session_id)
            await uow.commit()
            log.warning("a rotated refresh token was presented again: session %s ended", row.session_id)
            raise RefreshTokenReused("this refresh token was already used: the session is ended, sign in again")
        if row.expires_at <= now or row.session_expires_at <= now:
            raise SessionEnded("this session has expired: sign in again")
        account = (await uow.session.execute(sa.select(accounts).where(accounts.c.id == row.account_id))).one()
        await store.mark_rotated(uow.session, refresh_token, row.session_id, now)
        token, expires_at = await store.add_refresh_token(uow.session, row.session_id, now,
                                                          _lifetimes(deps)["idle"], row.session_expires_at)
        issued = await _issued(deps, account, row.session_id, token, expires_at, now)
        await uow.commit()
    return issued


async def sign_out(deps: Deps, refresh_token: str) -> None:
    """Ends the refresh token's session, whichever of its tokens it is; nothing for an unknown token."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await store.find_refresh_token(uow.session, refresh_token)
        if row is not None:
            await store.revoke(uow.session, now, "signed_out", session_id=row.session_id)
        await uow.commit()


async def forget_ended(deps: Deps) -> int:
    """Sessions over for a day are deleted with their refresh tokens (a reuse after that is simply unknown)."""
    async with deps.db.uow() as uow:
        count = await store.forget_ended(uow.session, deps.db.clock.now() - timedelta(days=1))
        await uow.commit()
    return count


@dataclass(frozen=True)
class SessionPrincipal(Principal):
    """A caller of this service, with the session their token belongs to."""

    session_id: uuid.UUID | None = None


class SessionVerifier:
    """What `activateurs.shared.auth.current_principal` calls in this service: our own keys (no HTTP round trip)
    and the session still open, so signing out or changing the password takes effect here at once."""

    def __init__(self, keys: KeyRing, db: Database) -> None:
        self._keys = keys
        self._db = db

    async def verify(self, token: str) -> Principal:
        now = self._db.clock.now()
        claims = await self._keys.decode(token, now)
        principal = Principal.from_claims(claims)
        try:
            session_id, account_id = uuid.UUID(str(claims["sid"])), uuid.UUID(principal.subject)
        except (KeyError, ValueError) as error:
            raise InvalidToken("this token belongs to no session: sign in again") from error
        async with self._db.sessions() as session:
            if not await store.is_open(session, session_id, account_id, now):
                raise InvalidToken("this session has ended: sign in again")
        return SessionPrincipal(subject=principal.subject, roles=principal.roles, structure_id=principal.structure_id,
                                region=principal.region, session_id=session_id)
