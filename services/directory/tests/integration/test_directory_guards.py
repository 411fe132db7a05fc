"""The 24 h publication guard and the partner call log retention, driven by a manual clock."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.directory.adapters.tables import partner_calls
from activateurs.directory.service import publication
from activateurs.directory.service.overdue import OVERDUE
from activateurs.directory.service.partners import log_call
from activateurs.directory.service.retention import purge_partner_calls
from activateurs.shared.clock import ManualClock
from tests.support.waiting import eventually, stays

from ..conftest import T0, accepted, make_profile

OVERDUE_EVENT = "directory.structure.publication_overdue.v1"
BROKEN_NAME = "Profil Qui Casse"


async def test_an_acceptance_still_unpublished_after_24_hours_is_reported_once(start_directory, amqp, monkeypatch,
                                                                              caplog):
    clock = ManualClock(T0)
    directory = await start_directory(clock=clock, maintenance_interval_seconds=3600)
    reports = await amqp.listen(OVERDUE_EVENT)
    projection = publication.Publisher.projection

    def failing(self, structure_id, slug, profile, removed):  # a defect met only by this profile
        if profile.name == BROKEN_NAME:
            raise ValueError("projection defect")
        return projection(self, structure_id, slug, profile, removed)

    monkeypatch.setattr(publication.Publisher, "projection", failing)
    fine, broken = uuid.uuid4(), uuid.uuid4()
    await amqp.publish_event(accepted(fine, make_profile("Profil Sans Souci"), when=T0))
    await amqp.publish_event(accepted(broken, make_profile(BROKEN_NAME), when=T0))

    async def both_seen() -> bool:
        async with directory.database.sessions() as session:
            seen = (await session.execute(sa.text("SELECT count(*) FROM acceptances_seen"))).scalar_one()
        return seen == 2

    await eventually(both_seen, what="both acceptances recorded, the broken one dead-lettered")
    dead_letters: list = []

    async def dead_lettered() -> bool:
        dead_letters.extend(await amqp.drain("directory.publication.dead-letter"))
        return len(dead_letters) >= 1

    await eventually(dead_lettered, what="the broken acceptance dead-lettered")
    assert [m.body["data"]["structure_id"] for m in dead_letters] == [str(broken)]

    clock.advance(timedelta(hours=23, minutes=59))
    await directory.maintenance.run_once()
    assert OVERDUE._value.get() == 0
    clock.advance(timedelta(minutes=2))
    with caplog.at_level(logging.ERROR):
        await directory.maintenance.run_once()
    assert OVERDUE._value.get() == 1
    await eventually(lambda: len(reports) == 1, what="one overdue report")
    assert reports[0].body["data"]["structure_id"] == str(broken)
    assert reports[0].body["data"]["accepted_at"].startswith("2026-03-02T09:00:00")
    assert str(broken) in caplog.text and BROKEN_NAME not in caplog.text and "Paris" not in caplog.text

    clock.advance(timedelta(hours=6))
    await directory.maintenance.run_once()
    await stays(lambda: len(reports) == 1, seconds=1.5, what="reported once only")
    assert OVERDUE._value.get() == 1  # still overdue, though reported already


async def test_partner_calls_older_than_the_retention_are_purged(start_directory):
    clock = ManualClock(T0)
    directory = await start_directory(clock=clock, maintenance_interval_seconds=3600)
    db = directory.database
    key = uuid.uuid4()
    for age in (timedelta(days=400), timedelta(days=366), timedelta(days=300), timedelta(0)):
        clock.set(T0 - age)
        await log_call(db, key, "/api/v1/partner/activators", "ok")
    clock.set(T0)
    assert await purge_partner_calls(db, 12) == 2  # 2025-03-02 09:00 is the cut: 366 and 400 days are older

    async with db.sessions() as session:
        kept = sorted((await session.execute(sa.select(partner_calls.c.at))).scalars())
    assert kept == [T0 - timedelta(days=300), T0]
    clock.advance(timedelta(days=70))  # the 300-day-old call passes 12 months; the periodic job purges it
    await directory.maintenance.run_once()
    async with db.sessions() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(partner_calls))).scalar_one() == 1
