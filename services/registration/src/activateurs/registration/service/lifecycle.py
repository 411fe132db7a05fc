"""After submission: the DGE's answers, account deletion (GDPR, expiry, strike-off, never verified) and export."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.emails import (
    AccountDeletedContext,
    DeletionReason,
    DossierAcceptedContext,
    DossierRefusedContext,
    EmailContext,
    WithdrawalConfirmedContext,
)
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    AccountDeletedData,
    StructureLeftData,
    StructureWithdrawn,
)
from activateurs.shared.contracts.validation import (
    CharterPublished,
    DossierAccepted,
    DossierExpired,
    DossierRefused,
    InformationRequested,
    StructureStruckOff,
)
from activateurs.shared.contracts.vocabulary import StructureStatus
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import accounts, charter_versions, deleted_accounts, documents, dossier_revisions, dossiers
from .context import PRODUCER, Deps

CONSUMER = "registration.validation-outcomes"
S = StructureStatus


def _email(context: EmailContext, account: Any, key: str, now: datetime) -> EmailRequested:
    return EmailRequested.for_context(context, to=account.email, account_id=account.id, producer=PRODUCER,
                                      occurred_at=now, idempotency_key=key)


async def _dossier_with_account(session: AsyncSession, condition: Any) -> Any:
    query = (sa.select(dossiers, accounts.c.email, accounts.c.first_name, accounts.c.last_name)
             .join(accounts, accounts.c.id == dossiers.c.account_id).where(condition).with_for_update(of=dossiers))
    return (await session.execute(query)).first()


def _structure_name(row: Any) -> str:
    return (row.draft.get("structure") or {}).get("name") or "votre structure"


async def _apply(deps: Deps, event: Event, condition: Any, allowed_from: set[str],
                 change: dict[str, Any], context: Any) -> bool:
    """Move the dossier to a new status if the event is new, not older than the last change, and fits the
    current status; with the email `context(row)` gives, if any. False when nothing changed."""
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
            await uow.add_event(_email(context(row), _Recipient(row.account_id, row.email),
                                       f"registration:{event.event_id}:{event.event_type}", now))
        await uow.commit()
    return True


class _Recipient:
    """The two account fields an email needs (`id`, `email`), from a dossier row joined with its account."""

    def __init__(self, account_id: uuid.UUID, email: str) -> None:
        self.id = account_id
        self.email = email


async def on_information_requested(deps: Deps, event: InformationRequested) -> bool:
    data = event.data
    return await _apply(
        deps, event, dossiers.c.id == data.dossier_id, {S.SUBMITTED.value},
        {"status": S.AWAITING_APPLICANT.value,
         "information_request": {"message": data.message, "respond_by": data.respond_by.isoformat()}},
        None)  # validation owns the thread and emails the request itself


async def on_accepted(deps: Deps, event: DossierAccepted) -> bool:
    data = event.data
    return await _apply(
        deps, event, dossiers.c.id == data.dossier_id, {S.SUBMITTED.value, S.AWAITING_APPLICANT.value},
        {"status": S.ACCEPTED.value, "structure_id": data.structure_id,
         "engagement_expires_at": data.engagement_expires_at, "information_request": None},
        lambda row: DossierAcceptedContext(first_name=row.first_name, structure_name=_structure_name(row),
                                           engagement_expires_at=data.engagement_expires_at,
                                           space_url=deps.link("/espace")))


async def on_refused(deps: Deps, event: DossierRefused) -> bool:
    data = event.data
    return await _apply(
        deps, event, dossiers.c.id == data.dossier_id, {S.SUBMITTED.value, S.AWAITING_APPLICANT.value},
        {"status": S.REFUSED.value, "information_request": None},
        lambda row: DossierRefusedContext(first_name=row.first_name, structure_name=_structure_name(row),
                                          reason=data.reason))


async def delete_account(session: AsyncSession, account_id: uuid.UUID, *, reason: DeletionReason,
                         now: datetime) -> list[Event]:
    """Delete the account and everything about the person (cascade), keep the anonymous audit row,
    and return the events to write in the same transaction. Empty if the account is already gone."""
    account = (await session.execute(sa.select(accounts).where(accounts.c.id == account_id)
                                     .with_for_update())).first()
    if account is None:
        return []
    structure_id = (await session.execute(sa.select(dossiers.c.structure_id)
                                          .where(dossiers.c.account_id == account_id))).scalar()
    await session.execute(sa.delete(accounts).where(accounts.c.id == account_id))
    await session.execute(sa.insert(deleted_accounts).values(account_id=account_id, structure_id=structure_id,
                                                             reason=reason, deleted_at=now))
    events: list[Event] = []
    if reason != "never_verified":
        events.append(_email(AccountDeletedContext(first_name=account.first_name or "Madame, Monsieur",
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
        if row is None or row.status != S.AWAITING_APPLICANT.value or event.occurred_at < row.status_changed_at:
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
    structure = None
    if dossier is not None:
        structure = {"dossier_id": str(dossier.id), "structure_id": str(dossier.structure_id)
                     if dossier.structure_id else None, "name": _structure_name(dossier) if dossier.draft.get(
                         "structure", {}).get("name") else None, "status": dossier.status,
                     "revision": dossier.revision, "engagement_expires_at": dossier.engagement_expires_at}
    return {"id": str(account.id), "email": account.email, "first_name": account.first_name,
            "last_name": account.last_name, "roles": list(account.roles), "region": account.region,
            "verified_at": account.verified_at, "created_at": account.created_at, "structure": structure}


async def export(deps: Deps, account_id: uuid.UUID) -> dict[str, Any] | None:
    """Everything held about the person: account, dossier draft and submitted revisions, documents' metadata."""
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
    account_data = {key: value for key, value in account._mapping.items() if key != "password_hash"}
    return {
        "account": account_data,
        "dossier": dict(dossier._mapping) if dossier else None,
        "revisions": [dict(row._mapping) for row in revisions],
        "documents": [{**dict(row._mapping), "download": f"/api/v1/dossier/documents/{row.id}"} for row in docs],
    }


async def on_charter_published(deps: Deps, event: CharterPublished) -> bool:
    """A new charter version: from now on, submissions must accept it (the version is idempotent by number)."""
    data = event.data
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, deps.db.clock.now()):
            return False
        await uow.session.execute(insert(charter_versions).values(
            version=data.version, text=data.text, published_at=event.occurred_at,
            acceptance_deadline=data.acceptance_deadline).on_conflict_do_nothing())
        await uow.commit()
    return True


class NotInProgramme(Exception):
    """Withdrawal needs an accepted structure."""


IN_PROGRAMME = {S.ACCEPTED.value, S.PUBLISHED.value, S.SUSPENDED.value}


async def withdraw_structure(deps: Deps, account_id: uuid.UUID, reason: str) -> None:
    """The referent takes the structure out of the programme (A4, A9): offline everywhere at once."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await _dossier_with_account(uow.session, dossiers.c.account_id == account_id)
        if row is None or row.status not in IN_PROGRAMME or row.structure_id is None:
            raise NotInProgramme("only a structure in the programme can withdraw")
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
            status=S.WITHDRAWN.value, status_changed_at=now, updated_at=now))
        await uow.add_events([
            StructureWithdrawn.new(StructureLeftData(structure_id=row.structure_id, reason=reason),
                                   producer=PRODUCER, occurred_at=now),
            _email(WithdrawalConfirmedContext(first_name=row.first_name, structure_name=_structure_name(row),
                                              scope="structure"),
                   _Recipient(row.account_id, row.email), f"registration:{row.structure_id}:withdrawn", now),
        ])
        await uow.commit()
