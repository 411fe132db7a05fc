"""Talk to RabbitMQ as another service would: publish events, listen to events, read dead letters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from activateurs.shared.contracts import Event
from activateurs.shared.messaging.topology import EVENTS_EXCHANGE


@dataclass(frozen=True)
class Received:
    routing_key: str
    message_id: str | None
    headers: dict[str, Any]
    persistent: bool
    content_type: str | None
    body: dict[str, Any]


class AmqpProbe:
    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None

    async def __aenter__(self) -> AmqpProbe:
        self._connection = await aio_pika.connect_robust(self.url)
        self._channel = await self._connection.channel(publisher_confirms=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _exchange(self) -> aio_pika.abc.AbstractExchange:
        assert self._channel is not None
        return await self._channel.declare_exchange(
            EVENTS_EXCHANGE.name, aio_pika.ExchangeType.TOPIC, durable=True, arguments=EVENTS_EXCHANGE.arguments)

    async def publish_event(self, event: Event, *, message_id: str | None = None) -> None:
        await self.publish_raw(event.routing_key, event.model_dump_json().encode(),
                               message_id=message_id or str(event.event_id))

    async def publish_raw(self, routing_key: str, body: bytes, *, message_id: str) -> None:
        exchange = await self._exchange()
        await exchange.publish(
            aio_pika.Message(body, message_id=message_id, content_type="application/json",
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT, headers={"event_type": routing_key}),
            routing_key=routing_key,
        )

    async def listen(self, *routing_keys: str) -> list[Received]:
        """Bind a private queue to `routing_keys`; the returned list fills as events arrive."""
        assert self._channel is not None
        exchange = await self._exchange()
        queue = await self._channel.declare_queue(exclusive=True, auto_delete=True)
        for key in routing_keys:
            await queue.bind(exchange, routing_key=key)
        received: list[Received] = []

        async def on_message(message: AbstractIncomingMessage) -> None:
            async with message.process():
                received.append(_received(message))

        await queue.consume(on_message)
        return received

    async def drain(self, queue_name: str) -> list[Received]:
        """Take every message currently in `queue_name` (e.g. a dead-letter queue)."""
        assert self._channel is not None
        queue = await self._channel.get_queue(queue_name, ensure=True)
        taken: list[Received] = []
        while (message := await queue.get(fail=False)) is not None:
            await message.ack()
            taken.append(_received(message))
        return taken


def _received(message: AbstractIncomingMessage) -> Received:
    try:
        body = json.loads(message.body)
    except ValueError:
        body = {"raw": message.body.decode(errors="replace")}
    return Received(
        routing_key=message.routing_key or "",
        message_id=message.message_id,
        headers=dict(message.headers or {}),
        persistent=message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT,
        content_type=message.content_type,
        body=body,
    )
