"""Charter versions (A6, DOMAIN 10): a new version from the DGE, who must accept it, acceptances and their record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts.emails import CharterToAcceptContext
from activateurs.shared.contracts.validation import CharterPublished
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import charter_acceptances, charter_versions, dossiers, members
from .context import AccountGone, Deps
from .dossier import StaleCharter, current_charter, draft_region
from .lifecycle import CONSUMER, IN_PROGRAMME
from .mail import email_for
from .people import people_of
from .schedule import schedule_charter


async def on_charter_published(deps: Deps, event: CharterPublished) -> bool:
    """Store the version (the current one from now on); every structure in the programme is asked to accept it
    by the deadline, each referent and member emailed once. A version already known changes nothing."""
    data, now = event.data, deps.db.clock.now()
    async with deps.db.uow() as uow:
        session = uow.session
        if not await first_delivery(session, CONSUMER, event, now):
            return False
        stored = (await session.execute(insert(charter_versions).values(
            version=data.version, text=data.text, published_at=event.occurred_at,
            acceptance_deadline=data.acceptance_deadline).on_conflict_do_nothing().returning(
            charter_versions.c.version))).first()
        if stored is None:
            await uow.commit()
            return False
        dossier_ids = list((await session.execute(sa.select(dossiers.c.id).where(
            dossiers.c.status.in_(IN_PROGRAMME)))).scalars())
        await schedule_charter(session, dossier_ids, data.version, data.acceptance_deadline, now)
        await uow.add_events([
            email_for(CharterToAcceptContext(first_name=person.first_name, charter_version=data.version,
                                             acceptance_deadline=data.acceptance_deadline,
                                             charter_url=deps.link("/charte")),
                      person, f"registration:charter:{data.version}:{person.id}", now)
            for person in await people_of(session, dossier_ids)])
        await uow.commit()
    return True


async def record_acceptance(session: AsyncSession, account_id: uuid.UUID, version: int, now: datetime) -> datetime:
    """When the person accepted `version` (now, or the first time they did)."""
    try:
        await session.execute(insert(charter_acceptances).values(account_id=account_id, version=version,
                                                                 accepted_at=now).on_conflict_do_nothing())
    except sa.exc.IntegrityError as error:  # the account was deleted while its token is still valid
        raise AccountGone() from error
    return (await session.execute(sa.select(charter_acceptances.c.accepted_at).where(
        charter_acceptances.c.account_id == account_id, charter_acceptances.c.version == version))).scalar_one()


async def accept(deps: Deps, account_id: uuid.UUID, version: int) -> datetime:
    """The referent or a member accepts the current version (bound by it at once). Raises StaleCharter."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        current = (await current_charter(uow.session)).version
        if version != current:
            raise StaleCharter(current)
        accepted_at = await record_acceptance(uow.session, account_id, version, now)
        # The referent's acceptance is the structure's (the charter deadline looks at it).
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.account_id == account_id)
                                  .values(charter_version=version, updated_at=now))
        await uow.commit()
    return accepted_at


async def structure_acceptances(deps: Deps, structure_id: uuid.UUID, *, region: str | None) -> dict[str, Any] | None:
    """Every charter version the structure's referent and current members accepted, and when, oldest first; None
    for a structure registration does not know, or (`region` given) one whose address is in another region."""
    async with deps.db.sessions() as session:
        row = (await session.execute(sa.select(dossiers.c.id, dossiers.c.account_id, dossiers.c.draft,
                                               dossiers.c.charter_version)
                                     .where(dossiers.c.structure_id == structure_id))).first()
        if row is None or (region is not None and draft_region(row.draft) != region):
            return None
        member_ids = sa.select(members.c.account_id).where(members.c.dossier_id == row.id)
        accepted = await session.execute(
            sa.select(charter_acceptances.c.version, charter_acceptances.c.accepted_at,
                      charter_acceptances.c.account_id)
            .where(sa.or_(charter_acceptances.c.account_id == row.account_id,
                          charter_acceptances.c.account_id.in_(member_ids)))
            .order_by(charter_acceptances.c.accepted_at, charter_acceptances.c.version,
                      charter_acceptances.c.account_id))
        items = [{"charter_version": a.version, "accepted_at": a.accepted_at, "account_id": a.account_id,
                  "referent": a.account_id == row.account_id} for a in accepted]
    return {"structure_id": structure_id, "charter_version": row.charter_version, "items": items}
