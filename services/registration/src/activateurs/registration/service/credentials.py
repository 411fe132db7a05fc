"""Credentials: the forgotten password (a single-use emailed link), a password change, an email change confirmed by
a link sent to the new address; each ends the sessions it must and tells the owner by email."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.auth import InvalidToken
from activateurs.shared.contracts import Event
from activateurs.shared.contracts.emails import (
    EmailChangedContext,
    EmailChangeVerificationContext,
    PasswordChangedContext,
    PasswordResetContext,
)

from ..adapters import links, throttle
from ..adapters import sessions as session_store
from ..adapters.tables import accounts, dossiers
from .accounts import TooManyAttempts, _account_key, _may_mail
from .context import AccountGone, Deps
from .mail import Recipient, email_for
from .people import membership
from .profile import republish

RESET_AUDIENCE = "activateurs-password-reset"
EMAIL_CHANGE_AUDIENCE = "activateurs-email-change"
RESET_WINDOW = timedelta(hours=1)


class WrongPassword(Exception):
    """The current password given to confirm a change is not the account's."""


class EmailTaken(Exception):
    """The new address is already the address of an account (another one, or this one)."""


def _link_ids(claims: dict[str, Any]) -> tuple[uuid.UUID, uuid.UUID]:
    try:
        return uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["jti"]))
    except (KeyError, ValueError) as error:
        raise InvalidToken("malformed link") from error


def _password_changed(deps: Deps, account: Any, now: Any, link: str) -> Event:
    context = PasswordChangedContext(first_name=account.first_name, changed_at=now,
                                     password_reset_url=deps.link("/mot-de-passe-oublie"))
    return email_for(context, account, f"registration:{account.id}:password-changed:{link}", now)


# --- Forgotten password -----------------------------------------------------------------------------------------


async def request_password_reset(deps: Deps, email: str, client_address: str) -> None:
    """Mails a reset link if the address is an account's; the caller sees the same either way.

    Raises TooManyAttempts when this client asked too often (counted whatever the address, so it tells nothing)."""
    email = email.strip().lower()
    now = deps.db.clock.now()
    limits = {f"reset-address:{client_address}": deps.settings.password_resets_per_address}
    async with deps.db.uow() as uow:
        wait = await throttle.retry_after(uow.session, limits, now, RESET_WINDOW)
        if wait is not None:
            raise TooManyAttempts(wait)
        await throttle.record_failure(uow.session, list(limits), now, RESET_WINDOW)
        row = (await uow.session.execute(sa.select(accounts.c.id, accounts.c.email, accounts.c.first_name)
                                         .where(accounts.c.email == email))).first()
        if row is not None and await _may_mail(uow.session, email, now):
            ttl = deps.settings.password_reset_minutes * 60
            link_id = await links.record(uow.session, row.id, links.PASSWORD_RESET, now, now + timedelta(seconds=ttl))
            token = await deps.keys.sign({"sub": str(row.id), "jti": str(link_id)}, now, ttl, audience=RESET_AUDIENCE)
            context = PasswordResetContext(first_name=row.first_name,
                                           reset_url=deps.link(f"/mot-de-passe/nouveau?token={token}"),
                                           expires_at=now + timedelta(seconds=ttl))
            await uow.add_event(email_for(context, row, f"registration:{row.id}:password-reset:{link_id}", now))
        await uow.commit()


async def reset_password(deps: Deps, token: str, password: str) -> None:
    """Sets the password of the link's account and ends all its sessions.

    Raises InvalidToken for a forged, expired or foreign token, a link already used or voided since."""
    now = deps.db.clock.now()
    account_id, link_id = _link_ids(await deps.keys.decode(token, now, audience=RESET_AUDIENCE))
    password_hash = await deps.passwords.hash(password)
    async with deps.db.uow() as uow:
        if await links.use(uow.session, link_id, account_id, links.PASSWORD_RESET, now) is None:
            raise InvalidToken("this link was already used, or a newer password was set since")
        # The link proves the owner reads the mailbox: an account never verified is verified now.
        account = (await uow.session.execute(
            sa.update(accounts).where(accounts.c.id == account_id)
            .values(password_hash=password_hash, verified_at=sa.func.coalesce(accounts.c.verified_at, now))
            .returning(accounts.c.id, accounts.c.email, accounts.c.first_name))).first()
        if account is None:
            raise InvalidToken("this account no longer exists")
        await links.void_all(uow.session, account_id, links.PASSWORD_RESET, now)
        await session_store.revoke(uow.session, now, "password_reset", account_id=account_id)
        await throttle.clear(uow.session, _account_key(account.email))  # the owner may sign in at once
        await uow.add_event(_password_changed(deps, account, now, f"reset:{link_id}"))
        await uow.commit()


# --- Changes by the signed-in owner -----------------------------------------------------------------------------


async def _check_password(deps: Deps, account_id: uuid.UUID, password: str) -> Any:
    """The account row if `password` is its own; failures count with the sign-in's (a stolen access token does not
    open a way to guess the password). Raises AccountGone, TooManyAttempts, WrongPassword."""
    settings, now = deps.settings, deps.db.clock.now()
    window = timedelta(seconds=settings.login_window_seconds)
    async with deps.db.sessions() as session:
        account = (await session.execute(sa.select(accounts).where(accounts.c.id == account_id))).first()
        if account is None:
            raise AccountGone()
        limits = {_account_key(account.email): settings.login_failures_per_account}
        wait = await throttle.retry_after(session, limits, now, window)
    if wait is not None:
        raise TooManyAttempts(wait)
    if not await deps.passwords.verify(account.password_hash, password):
        async with deps.db.uow() as uow:
            await throttle.record_failure(uow.session, list(limits), now, window)
            await uow.commit()
        raise WrongPassword("the current password is incorrect")
    return account


async def change_password(deps: Deps, account_id: uuid.UUID, current: str, new: str, *,
                          keep_session: uuid.UUID | None) -> None:
    """Every other session of the account ends; the one making the change (`keep_session`) stays signed in."""
    account = await _check_password(deps, account_id, current)
    password_hash = await deps.passwords.hash(new)
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        await uow.session.execute(sa.update(accounts).where(accounts.c.id == account_id)
                                  .values(password_hash=password_hash))
        await links.void_all(uow.session, account_id, links.PASSWORD_RESET, now)
        await session_store.revoke(uow.session, now, "password_changed", account_id=account_id, keep=keep_session)
        await uow.add_event(_password_changed(deps, account, now, f"change:{uuid.uuid4()}"))
        await uow.commit()


async def _email_owner(session: AsyncSession, email: str) -> uuid.UUID | None:
    return (await session.execute(sa.select(accounts.c.id).where(accounts.c.email == email))).scalar()


async def request_email_change(deps: Deps, account_id: uuid.UUID, password: str, new_email: str) -> None:
    """Mails a confirmation link to the new address; the account keeps its address until the link is used.

    Raises WrongPassword, TooManyAttempts (also when the new address had mails enough this hour), EmailTaken."""
    account = await _check_password(deps, account_id, password)
    new_email = new_email.strip().lower()
    if new_email == account.email:
        raise EmailTaken("this is already the address of your account")
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        if await _email_owner(uow.session, new_email) is not None:
            raise EmailTaken("this address is already used by another account")
        if not await _may_mail(uow.session, new_email, now):
            raise TooManyAttempts(int(RESET_WINDOW.total_seconds()))
        await links.void_all(uow.session, account_id, links.EMAIL_CHANGE, now)  # only the latest request counts
        ttl = deps.settings.email_change_hours * 3600
        link_id = await links.record(uow.session, account_id, links.EMAIL_CHANGE, now,
                                     now + timedelta(seconds=ttl), new_email=new_email)
        token = await deps.keys.sign({"sub": str(account_id), "jti": str(link_id)}, now, ttl,
                                     audience=EMAIL_CHANGE_AUDIENCE)
        context = EmailChangeVerificationContext(first_name=account.first_name, new_email=new_email,
                                                 confirmation_url=deps.link(f"/email/confirmation?token={token}"),
                                                 expires_at=now + timedelta(seconds=ttl))
        await uow.add_event(email_for(context, Recipient(account_id, new_email),
                                      f"registration:{account_id}:email-change:{link_id}", now))
        await uow.commit()


async def _dossier_of(session: AsyncSession, account_id: uuid.UUID) -> uuid.UUID | None:
    dossier_id = (await session.execute(sa.select(dossiers.c.id).where(dossiers.c.account_id == account_id))).scalar()
    if dossier_id is None:
        joined = await membership(session, account_id)
        dossier_id = joined.dossier_id if joined else None
    return dossier_id


async def confirm_email_change(deps: Deps, token: str) -> str:
    """The account's address becomes the confirmed one (the former address is told); returns it.

    Raises InvalidToken (forged, expired, used or replaced link), EmailTaken (another account took it since)."""
    now = deps.db.clock.now()
    account_id, link_id = _link_ids(await deps.keys.decode(token, now, audience=EMAIL_CHANGE_AUDIENCE))
    try:
        async with deps.db.uow() as uow:
            link = await links.use(uow.session, link_id, account_id, links.EMAIL_CHANGE, now)
            if link is None:
                raise InvalidToken("this link was already used or replaced by a newer request")
            old = (await uow.session.execute(sa.select(accounts.c.id, accounts.c.email, accounts.c.first_name)
                                             .where(accounts.c.id == account_id).with_for_update())).first()
            if old is None:
                raise InvalidToken("this account no longer exists")
            if await _email_owner(uow.session, link.new_email) is not None:
                raise EmailTaken("this address is already used by another account")
            await uow.session.execute(sa.update(accounts).where(accounts.c.id == account_id)
                                      .values(email=link.new_email))
            # A reset link mailed to the former address must not open the account any more.
            await links.void_all(uow.session, account_id, links.PASSWORD_RESET, now)
            context = EmailChangedContext(first_name=old.first_name, new_email=link.new_email, changed_at=now,
                                          login_url=deps.link("/connexion"))
            await uow.add_event(email_for(context, old, f"registration:{account_id}:email-changed:{link_id}", now))
            # The account's address receives the structure's contact requests: the directory learns the new one.
            dossier_id = await _dossier_of(uow.session, account_id)
            if dossier_id is not None:
                await uow.add_events(await republish(deps, uow.session, dossier_id))
            await uow.commit()
    except sa.exc.IntegrityError as error:  # another account took the address between the check and the update
        raise EmailTaken("this address is already used by another account") from error
    return link.new_email


async def forget_expired_links(deps: Deps) -> int:
    """Links past their expiry for a day are deleted (an address waiting for confirmation is personal data)."""
    async with deps.db.uow() as uow:
        count = await links.forget_expired(uow.session, deps.db.clock.now() - timedelta(days=1))
        await uow.commit()
    return count
