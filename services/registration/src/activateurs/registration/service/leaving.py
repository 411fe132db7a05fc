"""A member leaving: withdrawal from the structure (A9), or the deletion of their own account."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.emails import WithdrawalConfirmedContext
from activateurs.shared.contracts.registration import MemberWithdrawn, MemberWithdrawnData

from ..adapters.tables import accounts
from .context import PRODUCER, Deps
from .lifecycle import delete_account, delete_own_account
from .mail import email_for, structure_name
from .members import NotAMember
from .people import membership
from .profile import PUBLIC, republish


async def _leave(deps: Deps, session: AsyncSession, joined: Any, account_id: uuid.UUID, *,
                 notify: bool) -> list[Event]:
    now = deps.db.clock.now()
    events = await delete_account(session, account_id, reason="user_request", now=now, notify=notify)
    if events and joined.structure_id is not None and joined.status in PUBLIC:
        # The card goes offline at once: the directory drops it, and the profile is republished without it.
        events.append(MemberWithdrawn.new(MemberWithdrawnData(structure_id=joined.structure_id, account_id=account_id),
                                          producer=PRODUCER, occurred_at=now))
        events += await republish(deps, session, joined.dossier_id)
    return events


async def withdraw_member(deps: Deps, account_id: uuid.UUID) -> None:
    """*Decided*: a member exists only through the structure, so withdrawing deletes the member's account
    (registration.member.withdrawn.v1 and registration.account.deleted.v1); `withdrawal_confirmed` is the only
    email. The reason is not kept: free text from the person, it may be personal. Raises NotAMember."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        joined = await membership(uow.session, account_id)
        account = (await uow.session.execute(sa.select(accounts).where(accounts.c.id == account_id))).first()
        if joined is None or account is None:
            raise NotAMember("only a member of a structure can withdraw as a member")
        await uow.add_event(email_for(WithdrawalConfirmedContext(
            first_name=account.first_name, structure_name=structure_name(joined.draft), scope="member"),
            account, f"registration:{account_id}:member_withdrawn", now))
        await uow.add_events(await _leave(deps, uow.session, joined, account_id, notify=False))
        await uow.commit()


async def delete_own(deps: Deps, account_id: uuid.UUID) -> bool:
    """DELETE /api/v1/me: a member's card goes offline with them; a referent's structure takes its members.
    False when the account no longer exists."""
    async with deps.db.uow() as uow:
        joined = await membership(uow.session, account_id)
        if joined is not None:
            events = await _leave(deps, uow.session, joined, account_id, notify=True)
            await uow.add_events(events)
            await uow.commit()
            return bool(events)
    return await delete_own_account(deps, account_id)
