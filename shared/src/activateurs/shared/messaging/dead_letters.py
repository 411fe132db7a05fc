"""Operator tools for a service's dead-letter queues: how many wait, replay them to their queue, purge them.

A dead-lettered message is kept, never lost: once the cause is fixed (a bug, a missing row), `replay` puts
it back on its own queue (not the topic exchange, so other services do not get a second copy) and the
consumer's inbox still drops an event it had already handled. Nothing here reads or prints payloads:
they may hold personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from .topology import QueueSpec


@dataclass(frozen=True)
class Waiting:
    queue: str  # the dead-letter queue
    messages: int | None  # None: the queue does not exist (the service never started on this broker)


@dataclass(frozen=True)
class Replayed:
    message_id: str | None
    event_type: str | None
    death_reason: str | None  # rejected (the consumer gave up on it) or delivery_limit


async def _existing(channel: AbstractChannel, name: str) -> AbstractQueue:
    return await channel.declare_queue(name, passive=True)


async def waiting(url: str, specs: Sequence[QueueSpec]) -> list[Waiting]:
    """Messages waiting in each of the queues' dead-letter queues."""
    found: list[Waiting] = []
    async with await aio_pika.connect(url) as connection:
        for spec in specs:
            channel = await connection.channel()  # a failed passive declare closes its channel: one each
            try:
                queue = await _existing(channel, spec.dead_letter_name)
                found.append(Waiting(spec.dead_letter_name, queue.declaration_result.message_count))
            except aio_pika.exceptions.ChannelNotFoundEntity:
                found.append(Waiting(spec.dead_letter_name, None))
            finally:
                if not channel.is_closed:
                    await channel.close()
    return found


def _again(message: AbstractIncomingMessage) -> aio_pika.Message:
    """The same message, as first published: x-* headers (death history) are the broker's to write."""
    headers = {key: value for key, value in (message.headers or {}).items() if not key.startswith("x-")}
    return aio_pika.Message(
        message.body, headers=headers, message_id=message.message_id, content_type=message.content_type,
        content_encoding=message.content_encoding, correlation_id=message.correlation_id, type=message.type,
        timestamp=message.timestamp, app_id=message.app_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)


async def replay(url: str, spec: QueueSpec, limit: int | None = None) -> list[Replayed]:
    """Move up to `limit` messages (all that wait now, by default) from the dead-letter queue back to `spec`'s
    queue, oldest first. Each leaves the dead-letter queue only once the broker confirmed its copy; a crash
    in between replays it twice, which the consumer's inbox absorbs. A message that fails again comes back
    to the dead-letter queue after the count taken at the start, so it is not replayed in a loop."""
    replayed: list[Replayed] = []
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        dead = await _existing(channel, spec.dead_letter_name)
        await _existing(channel, spec.name)
        budget = dead.declaration_result.message_count
        if limit is not None:
            budget = min(budget, limit)
        while len(replayed) < budget:
            message = await dead.get(no_ack=False, fail=False)
            if message is None:
                break
            # mandatory: a queue gone meanwhile raises instead of dropping the copy; the original then stays.
            await channel.default_exchange.publish(_again(message), routing_key=spec.name, mandatory=True)
            await message.ack()
            headers = message.headers or {}
            replayed.append(Replayed(message.message_id, _text(headers.get("event_type")),
                                     _text(headers.get("x-first-death-reason"))))
    return replayed


async def purge(url: str, spec: QueueSpec) -> int:
    """Drop every message of the dead-letter queue (they are gone for good); returns how many."""
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        result = await (await _existing(channel, spec.dead_letter_name)).purge()
        return result.message_count or 0


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return None if value is None else str(value)
