"""A queue bound to several event types: each type reaches its own handler; an unexpected type is dead-lettered."""

import uuid
from typing import Literal

from faststream.rabbit import Channel, RabbitBroker

from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts import Contract, Event
from activateurs.shared.messaging.consumer import for_event, reject_unknown, subscribe
from activateurs.shared.messaging.topology import QueueSpec, declare_topology
from tests.support.waiting import eventually


class ItemData(Contract):
    item_id: uuid.UUID


class ItemCreated(Event):
    event_type: Literal["test.item.created.v1"]
    data: ItemData


class ItemRemoved(Event):
    event_type: Literal["test.item.removed.v1"]
    data: ItemData


class ItemAudited(Event):
    event_type: Literal["test.item.audited.v1"]
    data: ItemData


ITEMS = QueueSpec("test.items", (ItemCreated.routing_key, ItemRemoved.routing_key, ItemAudited.routing_key))


def new(event_cls: type[Event]) -> Event:
    return event_cls.new(ItemData(item_id=uuid.uuid4()), producer="test", occurred_at=SystemClock().now())


async def test_each_event_type_reaches_its_handler_and_the_rest_is_dead_lettered(vhost, amqp):
    broker = RabbitBroker(vhost, default_channel=Channel(publisher_confirms=True, on_return_raises=True))
    created, removed = [], []
    queue = subscribe(broker, ITEMS)

    @queue(filter=for_event(ItemCreated))
    async def on_created(event: ItemCreated) -> None:
        created.append(event.event_id)

    @queue(filter=for_event(ItemRemoved))
    async def on_removed(event: ItemRemoved) -> None:
        removed.append(event.event_id)

    reject_unknown(queue)
    await broker.connect()
    await declare_topology(broker, (ITEMS,))
    await broker.start()
    try:
        one, two, stray = new(ItemCreated), new(ItemRemoved), new(ItemAudited)
        for event in (one, stray, two):
            await amqp.publish_event(event)
        await eventually(lambda: created and removed, what="both handled")
        assert (created, removed) == ([one.event_id], [two.event_id])
        dead: list = []

        async def dead_lettered():
            dead.extend(await amqp.drain(ITEMS.dead_letter_name))
            return dead

        await eventually(dead_lettered, what="the unexpected event in the dead-letter queue")
        assert [message.message_id for message in dead] == [str(stray.event_id)]
    finally:
        await broker.stop()
