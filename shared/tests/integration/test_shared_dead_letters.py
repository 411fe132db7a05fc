"""Dead-letter tooling on the real RabbitMQ: a message dead-lettered by a bug is replayed once the bug is fixed,
to its own queue only, with its identity; one still failing comes back to the dead-letter queue, not in a loop."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from faststream.rabbit import RabbitBroker

from activateurs.shared.messaging import dead_letters
from activateurs.shared.messaging.consumer import subscribe
from activateurs.shared.messaging.topology import QueueSpec, declare_topology
from tests.support.waiting import eventually

from .test_shared_consumer import ThingHappened, thing_happened

THINGS = QueueSpec("test.dead-things", ("test.thing.happened.v1",))
OTHERS = QueueSpec("test.other-things", ("test.thing.happened.v1",))  # another service's queue, same events


@pytest.fixture
async def consumer(vhost):
    """A consumer of THINGS failing (a bug) on the events whose ids are in `broken`; `handled` its successes."""
    broken: set[uuid.UUID] = set()
    handled: list[uuid.UUID] = []
    broker = RabbitBroker(vhost)
    subscriber = subscribe(broker, THINGS)

    @subscriber
    async def handle(event: ThingHappened) -> None:
        if event.event_id in broken:
            raise RuntimeError("a bug")
        handled.append(event.event_id)

    await broker.connect()
    await declare_topology(broker, (THINGS, OTHERS))
    await broker.start()
    yield broken, handled
    await broker.stop()


async def _waiting(vhost: str, spec: QueueSpec) -> int:
    [found] = await dead_letters.waiting(vhost, [spec])
    return found.messages or 0


async def _three_dead_lettered(broken: set[uuid.UUID], vhost: str, amqp) -> list[ThingHappened]:
    """Three events the consumer fails on (a bug), in the dead-letter queue in publication order."""
    events = [thing_happened() for _ in range(3)]
    broken.update(event.event_id for event in events)
    for event in events:
        await amqp.publish_event(event)
    await eventually(lambda: _is(_waiting(vhost, THINGS), 3), what="all three dead-lettered")
    return events


async def test_replay_after_the_fix_handles_each_message_once_on_its_own_queue(consumer, vhost, amqp):
    broken, handled = consumer
    events = await _three_dead_lettered(broken, vhost, amqp)
    assert [e.event_id for e in events if e.event_id in handled] == []
    others_before = len(await amqp.drain(OTHERS.name))

    broken.discard(events[0].event_id)  # fixed for two of them; the third still fails
    broken.discard(events[1].event_id)
    replayed = await dead_letters.replay(vhost, THINGS)
    assert sorted(r.message_id for r in replayed) == sorted(str(e.event_id) for e in events)
    assert {(r.event_type, r.death_reason) for r in replayed} == {("test.thing.happened.v1", "rejected")}
    await eventually(lambda: _is_set(handled, {events[0].event_id, events[1].event_id}), what="the fixed ones handled")
    # The still-broken one is back in the dead-letter queue, once: the replay did not chase it.
    await eventually(lambda: _is(_waiting(vhost, THINGS), 1), what="the broken one back")
    assert others_before == 3 and await amqp.drain(OTHERS.name) == []  # no second copy elsewhere
    assert sorted(handled) == sorted([events[0].event_id, events[1].event_id])

    assert await dead_letters.purge(vhost, THINGS) == 1
    assert await _waiting(vhost, THINGS) == 0


async def test_replay_with_a_limit_takes_the_oldest_first(consumer, vhost, amqp):
    broken, handled = consumer
    events = await _three_dead_lettered(broken, vhost, amqp)
    broken.clear()
    [first] = await dead_letters.replay(vhost, THINGS, limit=1)
    assert first.message_id == str(events[0].event_id)
    await eventually(lambda: _is_set(handled, {events[0].event_id}), what="the oldest handled")
    assert await _waiting(vhost, THINGS) == 2


def test_the_service_command_lists_and_replays(vhost):
    env = {**os.environ, "RABBITMQ_URL": vhost}
    asyncio.run(_declare(vhost))
    listed = subprocess.run([os.path.join(os.path.dirname(sys.executable), "activateurs-notifier"), "dead-letters",
                             "list"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["notifier.email-requests.dead-letter\t0",
                                          "notifier.account-deletions.dead-letter\t0"]
    refused = subprocess.run([os.path.join(os.path.dirname(sys.executable), "activateurs-notifier"), "dead-letters",
                              "purge", "--queue", "notifier.email-requests"], env=env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2 and "--yes" in refused.stderr  # purging asks to be meant


async def _declare(vhost: str) -> None:
    from activateurs.notifier.entrypoints.consumers import QUEUES
    broker = RabbitBroker(vhost)
    await broker.connect()
    await declare_topology(broker, QUEUES)
    await broker.stop()


async def _is(value, expected) -> bool:
    return await value == expected


async def _is_set(values: list, expected: set) -> bool:
    return set(values) == expected
