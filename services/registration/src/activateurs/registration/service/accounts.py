"""Accounts: creation, email verification, sign-in (with throttling) opening a session."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.auth import InvalidToken
from activateurs.shared.contracts.emails import AccountDuplicateRegistrationContext, AccountVerificationContext
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.vocabulary import Role

from ..adapters import throttle
from ..adapters.tables import accounts
from .context import PRODUCER, Deps
from .sessions import IssuedSession, open_session

VERIFICATION_AUDIENCE = "activateurs-email-verification"


@dataclass(frozen=True)
class NewAccount:
    email: str
    password: str
    first_name: str
    last_name: str


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class BadCredentials(Exception):
    """Unknown email, wrong password, or an email not yet verified."""


async def _verification_email(deps: Deps, account_id: uuid.UUID, email: str, first_name: str) -> EmailRequested:
    now = deps.db.clock.now()
    ttl = deps.settings.verification_hours * 3600
    token = await deps.keys.sign({"sub": str(account_id), "jti": uuid.uuid4().hex}, now, ttl,
                                 audience=VERIFICATION_AUDIENCE)
    context = AccountVerificationContext(first_name=first_name,
                                         verification_url=deps.link(f"/verification?token={token}"),
                                         expires_at=now + timedelta(seconds=ttl))
    return EmailRequested.for_context(context, to=email, account_id=account_id, producer=PRODUCER, occurred_at=now,
                                      idempotency_key=f"registration:{account_id}:verification:{uuid.uuid4()}")


MAILS_PER_ADDRESS_PER_HOUR = 5


async def _may_mail(session: Any, email: str, now: Any) -> bool:
    """At most a few unsolicited mails an hour to one address: sign-ups and re-sends cannot flood a mailbox."""
    key, window = "mail:" + hashlib.sha256(email.encode()).hexdigest(), timedelta(hours=1)
    if await throttle.retry_after(session, {key: MAILS_PER_ADDRESS_PER_HOUR}, now, window) is not None:
        return False
    await throttle.record_failure(session, [key], now, window)
    return True


async def create_account(deps: Deps, new: NewAccount) -> None:
    """Same outcome seen from outside whether the email is new or not: only the mail sent differs."""
    email = new.email.strip().lower()
    password_hash = await deps.passwords.hash(new.password)  # always, so both paths take as long
    account_id = uuid.uuid4()
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        created = (await uow.session.execute(insert(accounts).values(
            id=account_id, email=email, password_hash=password_hash, first_name=new.first_name.strip(),
            last_name=new.last_name.strip(), roles=[Role.ACTIVATOR.value], created_at=now,
        ).on_conflict_do_nothing(index_elements=[accounts.c.email]).returning(accounts.c.id))).first()
        if created:
            await uow.add_event(await _verification_email(deps, account_id, email, new.first_name.strip()))
        elif await _may_mail(uow.session, email, now):
            owner = (await uow.session.execute(sa.select(accounts.c.id, accounts.c.first_name)
                                               .where(accounts.c.email == email))).one()
            context = AccountDuplicateRegistrationContext(first_name=owner.first_name, login_url=deps.link("/connexion"),
                                                          password_reset_url=deps.link("/mot-de-passe-oublie"))
            await uow.add_event(EmailRequested.for_context(
                context, to=email, account_id=owner.id, producer=PRODUCER, occurred_at=now,
                idempotency_key=f"registration:{owner.id}:duplicate:{uuid.uuid4()}"))
        await uow.commit()


async def resend_verification(deps: Deps, email: str) -> None:
    """A new link for an account still unverified; nothing (and nothing visible) otherwise."""
    async with deps.db.uow() as uow:
        row = (await uow.session.execute(sa.select(accounts.c.id, accounts.c.email, accounts.c.first_name)
                                         .where(accounts.c.email == email.strip().lower(),
                                                accounts.c.verified_at.is_(None)))).first()
        if row is None or not await _may_mail(uow.session, row.email, deps.db.clock.now()):
            return
        await uow.add_event(await _verification_email(deps, row.id, row.email, row.first_name))
        await uow.commit()


async def verify_email(deps: Deps, token: str) -> None:
    """Raises InvalidToken for a forged, expired or foreign token, or an account that no longer exists."""
    now = deps.db.clock.now()
    claims = await deps.keys.decode(token, now, audience=VERIFICATION_AUDIENCE)
    try:
        account_id = uuid.UUID(str(claims["sub"]))
    except ValueError as error:
        raise InvalidToken("malformed subject") from error
    async with deps.db.uow() as uow:
        result = await uow.session.execute(
            sa.update(accounts).where(accounts.c.id == account_id)
            .values(verified_at=sa.func.coalesce(accounts.c.verified_at, now)))
        if result.rowcount != 1:
            raise InvalidToken("this account no longer exists")
        await uow.commit()


def _account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


async def issue_token(deps: Deps, username: str, password: str, client_address: str) -> IssuedSession:
    settings = deps.settings
    email = username.strip().lower()
    limits = {_account_key(email): settings.login_failures_per_account,
              f"address:{client_address}": settings.login_failures_per_address}
    window = timedelta(seconds=settings.login_window_seconds)
    now = deps.db.clock.now()
    async with deps.db.sessions() as session:
        wait = await throttle.retry_after(session, limits, now, window)
        if wait is not None:
            raise TooManyAttempts(wait)
        row = (await session.execute(sa.select(accounts).where(accounts.c.email == email))).first()
    valid = await deps.passwords.verify(row.password_hash if row else None, password)
    async with deps.db.uow() as uow:
        if not valid or row is None:
            await throttle.record_failure(uow.session, list(limits), now, window)
            await uow.commit()
            raise BadCredentials()
        await throttle.clear(uow.session, _account_key(email))
        await uow.commit()
    if row.verified_at is None:
        raise BadCredentials()
    return await open_session(deps, row)


async def create_staff_account(deps: Deps, *, email: str, password: str, roles: list[Role],
                               region: str | None = None, first_name: str = "", last_name: str = "") -> uuid.UUID:
    """DGE and DREETS accounts: created verified, by the command line only. Raises ValueError if the email exists."""
    account_id = uuid.uuid4()
    password_hash = await deps.passwords.hash(password)
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        created = (await uow.session.execute(insert(accounts).values(
            id=account_id, email=email.strip().lower(), password_hash=password_hash, first_name=first_name,
            last_name=last_name, roles=[role.value for role in roles], region=region, created_at=now, verified_at=now,
        ).on_conflict_do_nothing(index_elements=[accounts.c.email]).returning(accounts.c.id))).first()
        if not created:
            raise ValueError("an account with this email already exists")
        await uow.commit()
    return account_id
