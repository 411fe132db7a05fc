"""The transactional outbox and its relay on the real PostgreSQL and RabbitMQ: published once, after commit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

import pytest
import sqlalchemy as sa
from faststream.rabbit import Channel, RabbitBroker

from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.validation import DossierExpired, DossierExpiredData, SanctionData, StructureSuspended
from activateurs.shared.db import Database
from activateurs.shared.messaging.relay import OutboxRelay
from activateurs.shared.messaging.tables import outbox
from activateurs.shared.messaging.topology import UNROUTED_QUEUE, QueueSpec, declare_topology
from tests.support.amqp import AmqpProbe
from tests.support.infra import rabbitmqctl
from tests.support.waiting import eventually, stays

KEY = StructureSuspended.routing_key


def suspended(reason: str = "test") -> StructureSuspended:
    return StructureSuspended.new(SanctionData(structure_id=uuid.uuid4(), reason=reason),
                                  producer="validation", occurred_at=SystemClock().now())


async def open_database(databases) -> Database:
    db = Database(await databases.fresh("registration"), pool_size=4)
    async with db.engine.begin() as conn:  # the business table a use case changes with its events
        await conn.execute(sa.text("CREATE TABLE structures (id uuid PRIMARY KEY, status text NOT NULL)"))
    return db


async def open_broker(url: str, queues: tuple[QueueSpec, ...] = ()) -> RabbitBroker:
    broker = RabbitBroker(url, default_channel=Channel(publisher_confirms=True, on_return_raises=True),
                          reconnect_interval=0.5)
    await broker.connect()
    await declare_topology(broker, queues)
    return broker


@pytest.fixture
async def db(databases):
    database = await open_database(databases)
    yield database
    await database.dispose()


@pytest.fixture
async def broker(vhost):
    rabbit = await open_broker(vhost)
    yield rabbit
    await rabbit.stop()


async def suspend(db: Database, event: StructureSuspended) -> None:
    """The use case: a state change and its event, committed together."""
    async with db.uow() as uow:
        await uow.session.execute(sa.text("INSERT INTO structures (id, status) VALUES (:id, 'suspended')"),
                                  {"id": event.data.structure_id})
        await uow.add_event(event)
        await uow.commit()


async def count(db: Database, sql: str) -> int:
    async with db.sessions() as session:
        return (await session.execute(sa.text(sql))).scalar_one()


async def pending(db: Database) -> int:
    return await count(db, "SELECT count(*) FROM outbox WHERE published_at IS NULL")


async def pending_is(db: Database, expected: int) -> bool:
    return await pending(db) == expected


async def published_at(db: Database, event_id: uuid.UUID):
    async with db.sessions() as session:
        return (await session.execute(sa.select(outbox.c.published_at).where(outbox.c.event_id == event_id))
                ).scalar_one()


async def test_event_is_published_only_after_its_transaction_commits(db, broker, amqp):
    received = await amqp.listen(KEY)
    relay = OutboxRelay(db, broker)
    event = suspended()

    async with db.uow() as uow:
        await uow.session.execute(sa.text("INSERT INTO structures (id, status) VALUES (:id, 'suspended')"),
                                  {"id": event.data.structure_id})
        await uow.add_event(event)
        assert await relay.publish_pending() == (0, 0)
        await uow.commit()
    await stays(lambda: not received, seconds=0.3, what="nothing published before the commit")

    assert await relay.publish_pending() == (1, 0)
    (message,) = await eventually(lambda: received, what="the event")
    assert message.message_id == str(event.event_id)
    assert message.persistent
    assert message.content_type == "application/json"
    assert message.headers["event_type"] == KEY
    assert message.body == json.loads(event.model_dump_json())
    assert await published_at(db, event.event_id) is not None


async def test_rolled_back_transaction_leaves_no_state_no_outbox_row_and_publishes_nothing(db, broker, amqp):
    received = await amqp.listen(KEY)
    relay = OutboxRelay(db, broker)
    event, abandoned = suspended(), suspended()

    with pytest.raises(RuntimeError):
        async with db.uow() as uow:
            await uow.session.execute(sa.text("INSERT INTO structures (id, status) VALUES (:id, 'x')"),
                                      {"id": event.data.structure_id})
            await uow.add_event(event)
            raise RuntimeError("the use case failed after writing")
    async with db.uow() as uow:  # left without commit
        await uow.session.execute(sa.text("INSERT INTO structures (id, status) VALUES (:id, 'x')"),
                                  {"id": abandoned.data.structure_id})
        await uow.add_event(abandoned)

    assert await count(db, "SELECT count(*) FROM structures") == 0
    assert await count(db, "SELECT count(*) FROM outbox") == 0
    assert await relay.publish_pending() == (0, 0)
    await stays(lambda: not received, seconds=0.5, what="nothing published")


@pytest.mark.serial  # stops the shared RabbitMQ: every other test's connections would drop with it
async def test_events_committed_while_the_broker_is_down_are_published_once_when_it_is_back(db, vhost):
    probe = QueueSpec("test.outbox-probe", (KEY,))  # durable: it outlives the broker restart
    broker = await open_broker(vhost, (probe,))
    relay_task = asyncio.create_task(OutboxRelay(db, broker, poll_interval=0.2, publish_timeout=2).run())
    events = [suspended(f"down-{i}") for i in range(20)]
    try:
        await asyncio.to_thread(rabbitmqctl, "stop_app")
        try:
            for event in events:
                await suspend(db, event)
            await eventually(lambda: count(db, "SELECT count(*) FROM outbox WHERE attempts > 0"), timeout=30,
                             what="the relay trying while the broker is down")
            await stays(lambda: pending_is(db, len(events)), seconds=1.0, what="all events unpublished")
        finally:
            await asyncio.to_thread(rabbitmqctl, "start_app")
            await asyncio.to_thread(rabbitmqctl, "await_startup")

        await eventually(lambda: pending_is(db, 0), timeout=60, what="the outbox published")
        async with AmqpProbe(vhost) as amqp:
            ids: list[str] = []

            async def received_all() -> bool:
                ids.extend(m.message_id for m in await amqp.drain(probe.name))
                return len(ids) == len(events)

            await eventually(received_all, timeout=60, what="every event in the probe queue")
            await stays(received_all, seconds=1.0, what="no event received twice")
        assert len(ids) == len(events)
        assert set(ids) == {str(e.event_id) for e in events}
    finally:
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task
        await broker.stop()


async def test_two_relays_on_one_database_publish_each_event_exactly_once(databases, vhost, amqp):
    first = await open_database(databases)
    second = Database(first.url, pool_size=4)  # another replica of the same service
    brokers = [await open_broker(vhost), await open_broker(vhost)]
    received = await amqp.listen(KEY)
    events = [suspended(f"busy-{i}") for i in range(300)]
    relays = [OutboxRelay(db, broker, batch_size=25, poll_interval=0.05)
              for db, broker in zip((first, second), brokers, strict=True)]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        for start in range(0, len(events), 50):
            async with first.uow() as uow:
                for event in events[start:start + 50]:
                    await uow.add_event(event)
                await uow.commit()
        await eventually(lambda: len(received) >= len(events), timeout=60, what="300 events")
        await eventually(lambda: pending_is(first, 0), what="every row marked published")
        await stays(lambda: len(received) == len(events), seconds=1.0, what="no duplicate")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for broker in brokers:
            await broker.stop()
        await second.dispose()
        await first.dispose()

    ids = [message.message_id for message in received]
    assert len(set(ids)) == len(ids) == len(events)
    assert set(ids) == {str(e.event_id) for e in events}


async def test_event_nobody_subscribes_to_is_marked_published_and_kept_in_unrouted(db, broker, amqp):
    event = DossierExpired.new(DossierExpiredData(dossier_id=uuid.uuid4(), account_id=uuid.uuid4()),
                               producer="validation", occurred_at=SystemClock().now())
    async with db.uow() as uow:
        await uow.add_event(event)
        await uow.commit()

    assert await OutboxRelay(db, broker).publish_pending() == (1, 0)
    assert await published_at(db, event.event_id) is not None
    unrouted = await eventually(lambda: amqp.drain(UNROUTED_QUEUE.name), what="the unrouted event")
    assert [m.message_id for m in unrouted] == [str(event.event_id)]
    assert unrouted[0].headers["event_type"] == DossierExpired.routing_key


async def _payload(db: Database, event_id: uuid.UUID) -> str:
    async with db.sessions() as session:
        return (await session.execute(sa.select(outbox.c.payload).where(outbox.c.event_id == event_id))).scalar_one()


async def test_a_published_event_keeps_its_row_but_not_its_payload(db, broker, amqp):
    received = await amqp.listen(KEY)
    event = suspended(reason="Jeanne Dupont-Moreau a demandé la suspension")
    await suspend(db, event)
    assert json.loads(await _payload(db, event.event_id))["data"]["reason"] == event.data.reason

    assert await OutboxRelay(db, broker).publish_pending() == (1, 0)
    (message,) = await eventually(lambda: received, what="the event")
    assert message.body["data"]["reason"] == event.data.reason
    assert await published_at(db, event.event_id) is not None
    assert await _payload(db, event.event_id) == ""


async def test_a_test_setup_may_keep_published_payloads_to_inspect_them(db, broker):
    event = suspended()
    await suspend(db, event)
    assert await OutboxRelay(db, broker, keep_published_payloads=True).publish_pending() == (1, 0)
    assert json.loads(await _payload(db, event.event_id))["event_id"] == str(event.event_id)
