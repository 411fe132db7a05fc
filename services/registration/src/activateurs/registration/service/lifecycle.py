"""After submission: the DGE's answers, account deletion (GDPR, expiry, strike-off, never verified) and export."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.emails import (
    AccountDeletedContext,
    DeletionReason,
    DossierAcceptedContext,
    DossierRefusedContext,
    WithdrawalConfirmedContext,
)
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    AccountDeletedData,
    StructureLeftData,
    StructureWithdrawn,
)
from activateurs.shared.contracts.validation import (
    DossierAccepted,
    DossierExpired,
    DossierRefused,
    InformationRequested,
    StructureStruckOff,
)
from activateurs.shared.contracts.vocabulary import StructureStatus
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import (
    account_links,
    accounts,
    charter_acceptances,
    deleted_accounts,
    documents,
    dossier_revisions,
    dossiers,
    member_invitations,
    members,
    sessions,
)
from .context import PRODUCER, Deps
from .mail import Recipient, email_for, structure_name
from .people import membership
from .publication import notify_first_publication
from .sanctions import apply_early_sanction
from .schedule import schedule_engagement

CONSUMER = "registration.validation-outcomes"


async def _dossier_with_account(session: AsyncSession, condition: Any) -> Any:
    query = (sa.select(dossiers, accounts.c.email, accounts.c.first_name, accounts.c.last_name)
             .join(accounts, accounts.c.id == dossiers.c.account_id).where(condition).with_for_update(of=dossiers))
    return (await session.execute(query)).first()


def _structure_name(row: Any) -> str:
    return structure_name(row.draft)


After = Callable[[AsyncSession, Any, datetime], Awaitable[list[Event]]]


async def _apply(deps: Deps, event: Event, condition: Any, allowed_from: set[str],
                 change: dict[str, Any], context: Any, then: After | None = None) -> bool:
    """Move the dossier to a new status if the event is new, not older than the last change, and fits the
    current status; with the email `context(row)` gives, if any, and what `then` adds in the same transaction.
    False when nothing changed."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return False
        row = await _dossier_with_account(uow.session, condition)
        # Late or out of order: a resubmission after this event, or a later decision, wins.
        if row is None or row.status not in allowed_from or event.occurred_at < row.status_changed_at:
            await uow.commit()
            return False
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id)
                                  .values(status_changed_at=event.occurred_at, updated_at=now, **change))
        if context is not None:
            await uow.add_event(email_for(context(row), Recipient(row.account_id, row.email),
                                       f"registration:{event.event_id}:{event.event_type}", now))
        if then is not None:
            await uow.add_events(await then(uow.session, row, now))
        await uow.commit()
    return True


async def on_information_requested(deps: Deps, event: InformationRequested) -> bool:
    data = event.data
    return await _apply(
        deps, event, dossiers.c.id == data.dossier_id, {StructureStatus.SUBMITTED.value},
        {"status": StructureStatus.AWAITING_APPLICANT.value,
         "information_request": {"message": data.message, "respond_by": data.respond_by.isoformat()}},
        None)  # validation owns the thread and emails the request itself


async def on_accepted(deps: Deps, event: DossierAccepted) -> bool:
    data = event.data

    async def then(session: AsyncSession, row: Any, now: datetime) -> list[Event]:
        # The engagement's reminders and lapse; and a sanction or a publication that arrived before this acceptance.
        await schedule_engagement(session, row.id, data.engagement_expires_at, now)
        await apply_early_sanction(session, row.id, data.structure_id, now)
        return await notify_first_publication(session, data.structure_id, now)

    return await _apply(
        deps, event, dossiers.c.id == data.dossier_id,
        {StructureStatus.SUBMITTED.value, StructureStatus.AWAITING_APPLICANT.value},
        {"status": StructureStatus.ACCEPTED.value, "structure_id": data.structure_id,
         "engagement_expires_at": data.engagement_expires_at, "information_request": None},
        lambda row: DossierAcceptedContext(first_name=row.first_name, structure_name=_structure_name(row),
                                           engagement_expires_at=data.engagement_expires_at,
                                           space_url=deps.link("/espace")), then)


async def on_refused(deps: Deps, event: DossierRefused) -> bool:
    data = event.data
    return await _apply(
        deps, event, dossiers.c.id == data.dossier_id,
        {StructureStatus.SUBMITTED.value, StructureStatus.AWAITING_APPLICANT.value},
        {"status": StructureStatus.REFUSED.value, "information_request": None},
        lambda row: DossierRefusedContext(first_name=row.first_name, structure_name=_structure_name(row),
                                          reason=data.reason))


async def delete_account(session: AsyncSession, account_id: uuid.UUID, *, reason: DeletionReason,
                         now: datetime, notify: bool = True) -> list[Event]:
    """Delete the account and everything about the person (cascade), keep the anonymous audit row,
    and return the events to write in the same transaction. Empty if the account is already gone.

    A referent's members go with the structure: their accounts are deleted too, for the same reason (the
    structure's), except that a referent's own request is not theirs: `structure_deleted`.
    `notify` False when another email already tells the person (engagement lapsed, member withdrawal)."""
    account = (await session.execute(sa.select(accounts).where(accounts.c.id == account_id)
                                     .with_for_update())).first()
    if account is None:
        return []
    events: list[Event] = []
    own = (await session.execute(sa.select(dossiers.c.id, dossiers.c.structure_id)
                                 .where(dossiers.c.account_id == account_id))).first()
    if own is not None:
        structure_id = own.structure_id
        for member_id in (await session.execute(sa.select(members.c.account_id)
                                                .where(members.c.dossier_id == own.id))).scalars().all():
            events += await delete_account(session, member_id, now=now, notify=notify,
                                           reason="structure_deleted" if reason == "user_request" else reason)
    else:
        joined = await membership(session, account_id)
        structure_id = joined.structure_id if joined else None
    await session.execute(sa.delete(accounts).where(accounts.c.id == account_id))
    await session.execute(sa.insert(deleted_accounts).values(account_id=account_id, structure_id=structure_id,
                                                             reason=reason, deleted_at=now))
    if notify and reason != "never_verified":
        events.append(email_for(AccountDeletedContext(first_name=account.first_name or "Madame, Monsieur",
                                                   reason=reason),
                             account, f"registration:{account_id}:account_deleted", now))
    events.append(AccountDeleted.new(AccountDeletedData(account_id=account_id, structure_id=structure_id),
                                     producer=PRODUCER, occurred_at=now))
    return events


async def on_expired(deps: Deps, event: DossierExpired) -> bool:
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return False
        row = (await uow.session.execute(sa.select(dossiers.c.status, dossiers.c.status_changed_at).where(
            dossiers.c.id == event.data.dossier_id))).first()
        # Only a dossier still waiting on its applicant expires; a resubmission since then stops the clock.
        if (row is None or row.status != StructureStatus.AWAITING_APPLICANT.value
                or event.occurred_at < row.status_changed_at):
            await uow.commit()
            return False
        await uow.add_events(await delete_account(uow.session, event.data.account_id,
                                                  reason="information_request_expired", now=now))
        await uow.commit()
    return True


async def on_struck_off(deps: Deps, event: StructureStruckOff) -> bool:
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return False
        row = await _dossier_with_account(uow.session, dossiers.c.structure_id == event.data.structure_id)
        if row is None:
            await uow.commit()
            return False
        # Validation emails the strike-off and its reason; this service tells of the deletion.
        await uow.add_events(await delete_account(uow.session, row.account_id, reason="struck_off", now=now))
        await uow.commit()
    return True


async def delete_own_account(deps: Deps, account_id: uuid.UUID) -> bool:
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        events = await delete_account(uow.session, account_id, reason="user_request", now=now)
        if not events:
            return False
        await uow.add_events(events)
        await uow.commit()
    return True


async def purge_never_verified(deps: Deps, *, batch: int = 100) -> int:
    """Accounts never verified after N days are deleted; claimed with SKIP LOCKED so replicas share the work."""
    now = deps.db.clock.now()
    cutoff = now - timedelta(days=deps.settings.never_verified_days)
    purged = 0
    while True:
        async with deps.db.uow() as uow:
            ids = list((await uow.session.execute(
                sa.select(accounts.c.id).where(accounts.c.verified_at.is_(None), accounts.c.created_at < cutoff)
                .limit(batch).with_for_update(skip_locked=True))).scalars())
            for account_id in ids:
                await uow.add_events(await delete_account(uow.session, account_id, reason="never_verified", now=now))
            await uow.commit()
        purged += len(ids)
        if len(ids) < batch:
            return purged


async def me(deps: Deps, account_id: uuid.UUID) -> dict[str, Any] | None:
    async with deps.db.sessions() as session:
        account = (await session.execute(sa.select(accounts).where(accounts.c.id == account_id))).first()
        if account is None:
            return None
        dossier = (await session.execute(sa.select(dossiers).where(dossiers.c.account_id == account_id))).first()
        joined = await membership(session, account_id) if dossier is None else None
        accepted = (await session.execute(sa.select(sa.func.max(charter_acceptances.c.version))
                                          .where(charter_acceptances.c.account_id == account_id))).scalar()
    structure = None
    if dossier is not None:
        structure = {"dossier_id": str(dossier.id), "structure_id": str(dossier.structure_id)
                     if dossier.structure_id else None, "name": _structure_name(dossier) if dossier.draft.get(
                         "structure", {}).get("name") else None, "status": dossier.status,
                     "revision": dossier.revision, "engagement_expires_at": dossier.engagement_expires_at,
                     "role": "referent"}
    elif joined is not None:  # a member sees the structure, not the referent's dossier
        structure = {"structure_id": str(joined.structure_id) if joined.structure_id else None,
                     "name": (joined.draft.get("structure") or {}).get("name"), "status": joined.status,
                     "engagement_expires_at": joined.engagement_expires_at, "role": "member"}
    return {"id": str(account.id), "email": account.email, "first_name": account.first_name,
            "last_name": account.last_name, "roles": list(account.roles), "region": account.region,
            "verified_at": account.verified_at, "created_at": account.created_at, "structure": structure,
            "charter_version_accepted": accepted}


async def export(deps: Deps, account_id: uuid.UUID) -> dict[str, Any] | None:
    """Everything held about the person: account, dossier draft and submitted revisions, documents' metadata,
    membership and card, the invitation that brought them, charter acceptances, sessions and emailed account links."""
    async with deps.db.sessions() as session:
        account = (await session.execute(sa.select(accounts).where(accounts.c.id == account_id))).first()
        if account is None:
            return None
        dossier = (await session.execute(sa.select(dossiers).where(dossiers.c.account_id == account_id))).first()
        revisions = (await session.execute(sa.select(dossier_revisions).where(
            dossier_revisions.c.dossier_id == (dossier.id if dossier else None))
            .order_by(dossier_revisions.c.revision))).all()
        docs = (await session.execute(sa.select(documents.c.id, documents.c.kind, documents.c.filename,
                                                documents.c.content_type, documents.c.size, documents.c.sha256,
                                                documents.c.created_at)
                                      .where(documents.c.account_id == account_id))).all()
        member = (await session.execute(sa.select(members).where(members.c.account_id == account_id))).first()
        invitation = (await session.execute(
            sa.select(member_invitations.c.email, member_invitations.c.first_name, member_invitations.c.last_name,
                      member_invitations.c.invited_at, member_invitations.c.accepted_at)
            .where(member_invitations.c.account_id == account_id))).first()
        acceptances = (await session.execute(sa.select(charter_acceptances.c.version, charter_acceptances.c.accepted_at)
                                             .where(charter_acceptances.c.account_id == account_id)
                                             .order_by(charter_acceptances.c.version))).all()
        signed_in = (await session.execute(
            sa.select(sessions.c.created_at, sessions.c.refreshed_at, sessions.c.expires_at, sessions.c.revoked_at,
                      sessions.c.revoked_reason)
            .where(sessions.c.account_id == account_id).order_by(sessions.c.created_at))).all()
        pending = (await session.execute(
            sa.select(account_links.c.purpose, account_links.c.new_email, account_links.c.created_at,
                      account_links.c.expires_at, account_links.c.used_at)
            .where(account_links.c.account_id == account_id).order_by(account_links.c.created_at))).all()
    account_data = {key: value for key, value in account._mapping.items() if key != "password_hash"}
    return {
        "account": account_data,
        "dossier": dict(dossier._mapping) if dossier else None,
        "revisions": [dict(row._mapping) for row in revisions],
        "documents": [{**dict(row._mapping), "download": f"/api/v1/dossier/documents/{row.id}"} for row in docs],
        "membership": dict(member._mapping) if member else None,
        "invitation": dict(invitation._mapping) if invitation else None,
        "charter_acceptances": [dict(row._mapping) for row in acceptances],
        "sessions": [dict(row._mapping) for row in signed_in],
        "account_links": [dict(row._mapping) for row in pending],  # password resets, email changes
    }


class NotInProgramme(Exception):
    """Withdrawal needs an accepted structure."""


IN_PROGRAMME = {StructureStatus.ACCEPTED.value, StructureStatus.PUBLISHED.value, StructureStatus.SUSPENDED.value}


async def withdraw_structure(deps: Deps, account_id: uuid.UUID, reason: str) -> None:
    """The referent takes the structure out of the programme (A4, A9): offline everywhere at once."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await _dossier_with_account(uow.session, dossiers.c.account_id == account_id)
        if row is None or row.status not in IN_PROGRAMME or row.structure_id is None:
            raise NotInProgramme("only a structure in the programme can withdraw")
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
            status=StructureStatus.WITHDRAWN.value, status_changed_at=now, updated_at=now))
        await uow.add_events([
            StructureWithdrawn.new(StructureLeftData(structure_id=row.structure_id, reason=reason),
                                   producer=PRODUCER, occurred_at=now),
            email_for(WithdrawalConfirmedContext(first_name=row.first_name, structure_name=_structure_name(row),
                                              scope="structure"),
                   Recipient(row.account_id, row.email), f"registration:{row.structure_id}:withdrawn", now),
        ])
        await uow.commit()
