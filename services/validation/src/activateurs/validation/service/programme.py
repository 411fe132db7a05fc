"""What a DGE admin publishes for the whole programme: charter versions and annual questionnaire campaigns."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.auth import Principal
from activateurs.shared.contracts.validation import (
    CharterPublished,
    CharterPublishedData,
    QuestionnaireLaunched,
    QuestionnaireLaunchedData,
)

from ..adapters import audit_store
from ..adapters.tables import charter_versions, questionnaire_campaigns
from ..domain.case import Conflict
from .common import PRODUCER, Context, actor

FIRST_VERSION = 1  # the charter of 16/03/2022, present from the first start (registration holds its text)
_VERSION_LOCK = sa.text("SELECT pg_advisory_xact_lock(727100002)")


class InvalidRequest(ValueError):
    """Well-formed but not acceptable (answered 422)."""


async def publish_charter(ctx: Context, principal: Principal, text: str, acceptance_deadline: datetime
                          ) -> dict[str, Any]:
    now = ctx.db.clock.now()
    if acceptance_deadline <= now:
        raise InvalidRequest("the acceptance deadline must be in the future")
    who = actor(principal)
    async with ctx.db.uow() as uow:
        await uow.session.execute(_VERSION_LOCK)  # version numbers without gaps or doubles
        latest = (await uow.session.execute(sa.select(sa.func.max(charter_versions.c.version)))).scalar_one()
        version = max(latest or FIRST_VERSION, FIRST_VERSION) + 1
        await uow.session.execute(sa.insert(charter_versions).values(
            version=version, text=text, acceptance_deadline=acceptance_deadline, published_at=now,
            published_by=who))
        await uow.add_event(CharterPublished.new(
            CharterPublishedData(version=version, text=text, acceptance_deadline=acceptance_deadline),
            producer=PRODUCER, occurred_at=now))
        await audit_store.append(uow.session, at=now, actor=who, action="charter_published",
                                 subject_id=f"charter:{version}", reason=None,
                                 details={"version": version, "acceptance_deadline": acceptance_deadline.isoformat()})
        await uow.commit()
    return {"version": version, "acceptance_deadline": acceptance_deadline, "published_at": now}


async def launch_questionnaire(ctx: Context, principal: Principal, year: int, url: str) -> dict[str, Any]:
    now = ctx.db.clock.now()
    who = actor(principal)
    campaign_id = uuid.uuid4()
    async with ctx.db.uow() as uow:
        inserted = (await uow.session.execute(insert(questionnaire_campaigns).values(
            id=campaign_id, year=year, url=url, launched_at=now, launched_by=who)
            .on_conflict_do_nothing().returning(questionnaire_campaigns.c.id))).first()
        if inserted is None:
            raise Conflict(f"the {year} campaign was already launched")
        await uow.add_event(QuestionnaireLaunched.new(
            QuestionnaireLaunchedData(campaign_id=campaign_id, year=year, url=url),
            producer=PRODUCER, occurred_at=now))
        await audit_store.append(uow.session, at=now, actor=who, action="questionnaire_launched",
                                 subject_id=f"questionnaire:{year}", reason=None,
                                 details={"campaign_id": str(campaign_id), "url": url})
        await uow.commit()
    return {"campaign_id": campaign_id, "year": year, "url": url, "launched_at": now}


CAMPAIGN_RUNS = timedelta(days=365)  # a year's questionnaire stays open until the next year's


async def running_questionnaire(ctx: Context) -> dict[str, Any] | None:
    """The latest campaign, while it runs (launched less than a year ago); None otherwise."""
    async with ctx.db.sessions() as session:
        row = (await session.execute(
            sa.select(questionnaire_campaigns.c.id, questionnaire_campaigns.c.year, questionnaire_campaigns.c.url,
                      questionnaire_campaigns.c.launched_at)
            .where(questionnaire_campaigns.c.launched_at > ctx.db.clock.now() - CAMPAIGN_RUNS)
            .order_by(questionnaire_campaigns.c.year.desc()).limit(1))).first()
    if row is None:
        return None
    return {"campaign_id": row.id, "year": row.year, "url": row.url, "launched_at": row.launched_at}
