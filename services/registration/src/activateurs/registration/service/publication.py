"""The directory's first publication of a structure: status published and the `profile_published` email, once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.directory import StructurePublished
from activateurs.shared.contracts.emails import ProfilePublishedContext
from activateurs.shared.contracts.vocabulary import StructureStatus
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import accounts, dossiers, publications
from .context import Deps
from .mail import Recipient, email_for, structure_name

CONSUMER = "registration.publication"


async def on_published(deps: Deps, event: StructurePublished) -> bool:
    """Remembered even when the acceptance has not reached this service yet: `after_acceptance` finishes then."""
    data, now = event.data, deps.db.clock.now()
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return False
        await uow.session.execute(insert(publications).values(
            structure_id=data.structure_id, url=data.url, first_published_at=data.at).on_conflict_do_nothing())
        events = await notify_first_publication(uow.session, data.structure_id, now)
        await uow.add_events(events)
        await uow.commit()
    return bool(events)


async def notify_first_publication(session: AsyncSession, structure_id: Any, now: datetime) -> list[Event]:
    """If the structure is known here and its first publication not yet told: status published, one email."""
    publication = (await session.execute(sa.select(publications).where(
        publications.c.structure_id == structure_id, publications.c.notified_at.is_(None))
        .with_for_update())).first()
    if publication is None:
        return []
    row = (await session.execute(
        sa.select(dossiers.c.id, dossiers.c.status, dossiers.c.status_before_suspension, dossiers.c.draft,
                  accounts.c.id.label("account_id"), accounts.c.email, accounts.c.first_name)
        .join(accounts, accounts.c.id == dossiers.c.account_id)
        .where(dossiers.c.structure_id == structure_id).with_for_update(of=dossiers))).first()
    if row is None:
        return []
    await session.execute(sa.update(publications).where(publications.c.structure_id == structure_id)
                          .values(notified_at=now))
    if row.status == StructureStatus.ACCEPTED.value:
        await session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
            status=StructureStatus.PUBLISHED.value, status_changed_at=now, updated_at=now))
    elif (row.status == StructureStatus.SUSPENDED.value
          and row.status_before_suspension == StructureStatus.ACCEPTED.value):
        await session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
            status_before_suspension=StructureStatus.PUBLISHED.value, updated_at=now))
    context = ProfilePublishedContext(first_name=row.first_name, structure_name=structure_name(row.draft),
                                      profile_url=publication.url)
    return [email_for(context, Recipient(row.account_id, row.email), f"registration:{structure_id}:profile_published",
                      now)]
