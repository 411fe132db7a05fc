"""The outbox backlog gauges read the database: events waiting and how old the oldest is."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from prometheus_client import REGISTRY

from activateurs.shared.clock import ManualClock
from activateurs.shared.db import Database
from activateurs.shared.messaging.backlog import OUTBOX
from activateurs.shared.messaging.tables import outbox


async def test_outbox_gauges_count_unpublished_events_and_the_oldest_age(databases):
    clock = ManualClock()
    db = Database(await databases.fresh("notifier"), clock=clock)
    try:
        now = clock.now()
        async with db.uow() as uow:
            await uow.session.execute(sa.insert(outbox), [
                {"event_id": uuid.uuid4(), "routing_key": "x.y.z.v1", "payload": "{}", "created_at": now - age,
                 "published_at": published}
                for age, published in ((timedelta(minutes=5), None), (timedelta(minutes=1), None),
                                       (timedelta(hours=2), now))])  # published long ago: not waiting
            await uow.commit()
        await OUTBOX.measure(db)
        assert _sample("outbox_waiting") == 2
        assert _sample("outbox_oldest_waiting_seconds") == 300
        async with db.uow() as uow:
            await uow.session.execute(sa.update(outbox).values(published_at=now))
            await uow.commit()
        await OUTBOX.measure(db)
        assert (_sample("outbox_waiting"), _sample("outbox_oldest_waiting_seconds")) == (0, 0)
    finally:
        await db.dispose()


def _sample(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)
