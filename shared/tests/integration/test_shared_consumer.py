"""Consumer policy on the real RabbitMQ and PostgreSQL: inbox dedupe, dead letters, transient retries."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import pytest
import sqlalchemy as sa
from faststream.rabbit import RabbitBroker

from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts import Contract, Event
from activateurs.shared.db import Database
from activateurs.shared.messaging.consumer import retry_transient, subscribe
from activateurs.shared.messaging.inbox import first_delivery
from activateurs.shared.messaging.topology import QueueSpec, declare_topology
from tests.support.waiting import eventually, stays

THINGS = QueueSpec("test.things", ("test.thing.happened.v1",))


class ThingData(Contract):
    thing_id: uuid.UUID


class ThingHappened(Event):
    event_type: Literal["test.thing.happened.v1"]
    data: ThingData


def thing_happened() -> ThingHappened:
    return ThingHappened.new(ThingData(thing_id=uuid.uuid4()), producer="test", occurred_at=SystemClock().now())


@pytest.fixture
async def db(databases):
    database = Database(await databases.fresh("registration"), pool_size=4)
    async with database.engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE counters (thing_id uuid PRIMARY KEY, hits int NOT NULL)"))
    yield database
    await database.dispose()


async def count_effect(db: Database, event: ThingHappened, *, fail_before_commit: bool = False) -> None:
    """The handler's effect and its inbox row, in one transaction."""
    async with db.uow() as uow:
        if await first_delivery(uow.session, THINGS.name, event, db.clock.now()):
            await uow.session.execute(
                sa.text("INSERT INTO counters VALUES (:id, 1)"
                        " ON CONFLICT (thing_id) DO UPDATE SET hits = counters.hits + 1"),
                {"id": event.data.thing_id})
        if fail_before_commit:  # e.g. the database connection dropped: nothing is committed
            raise OSError("connection reset by peer")
        await uow.commit()


async def hits(db: Database) -> dict[uuid.UUID, int]:
    async with db.sessions() as session:
        return dict((await session.execute(sa.text("SELECT thing_id, hits FROM counters"))).all())


Handler = Callable[[ThingHappened], Awaitable[None]]


@pytest.fixture
async def start_consumer(vhost):
    brokers: list[RabbitBroker] = []
    subscribers: list[Any] = []  # strong references: the broker holds its subscribers weakly

    async def start(handler: Handler) -> None:
        broker = RabbitBroker(vhost)
        subscriber = subscribe(broker, THINGS)
        subscriber(handler)
        await broker.connect()
        await declare_topology(broker, (THINGS,))
        await broker.start()
        brokers.append(broker)
        subscribers.append(subscriber)

    yield start
    for broker in brokers:
        await broker.stop()


async def test_the_same_event_delivered_twice_has_one_effect(db, start_consumer, amqp):
    deliveries: list[uuid.UUID] = []

    async def handle(event: ThingHappened) -> None:
        await count_effect(db, event)
        deliveries.append(event.event_id)

    await start_consumer(handle)
    event = thing_happened()
    await amqp.publish_event(event)
    await amqp.publish_event(event)  # a redelivery: same event, same message id

    await eventually(lambda: len(deliveries) == 2, what="both deliveries handled")
    assert await hits(db) == {event.data.thing_id: 1}


async def test_malformed_payload_is_dead_lettered_and_the_next_message_is_processed(db, start_consumer, amqp):
    async def handle(event: ThingHappened) -> None:
        await count_effect(db, event)

    await start_consumer(handle)
    await amqp.publish_raw(THINGS.routing_keys[0], b"{not json", message_id="bad-json")
    await amqp.publish_raw(THINGS.routing_keys[0], b'{"event_type": "test.thing.happened.v1"}', message_id="bad-shape")
    good = thing_happened()
    await amqp.publish_event(good)

    await eventually(lambda: hits(db), what="the valid message's effect")
    assert await hits(db) == {good.data.thing_id: 1}
    dead: set[str] = set()

    async def both_dead_lettered() -> bool:
        dead.update(m.message_id for m in await amqp.drain(THINGS.dead_letter_name))
        return dead == {"bad-json", "bad-shape"}

    await eventually(both_dead_lettered, what="the malformed messages in the dead-letter queue")


async def test_transient_errors_are_retried_to_exactly_one_effect_and_no_dead_letter(db, start_consumer, amqp):
    calls: list[uuid.UUID] = []

    @retry_transient(first_delay=0.01)
    async def handle(event: ThingHappened) -> None:
        calls.append(event.event_id)
        await count_effect(db, event, fail_before_commit=len(calls) <= 2)

    await start_consumer(handle)
    event = thing_happened()
    await amqp.publish_event(event)

    await eventually(lambda: hits(db), what="the effect after the retries")
    await stays(lambda: len(calls) == 3, seconds=1.0, what="no further delivery")
    assert await hits(db) == {event.data.thing_id: 1}
    assert await amqp.drain(THINGS.dead_letter_name) == []
