"""Event consumers of contact-relay: the routing table kept from the other services' events."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts import Event
from activateurs.shared.db import Database
from activateurs.shared.messaging.consumer import for_event, reject_unknown, retry_transient, subscribe
from activateurs.shared.messaging.topology import QueueSpec

from ..service import routing

ROUTING = QueueSpec(routing.CONSUMER, tuple(event_cls.routing_key for event_cls in routing.ROUTING_EVENTS))
QUEUES = (ROUTING,)


def register_consumers(broker: RabbitBroker, *, db: Database) -> list[Any]:
    queue = subscribe(broker, ROUTING, title=ROUTING.name)
    for event_cls in routing.ROUTING_EVENTS:
        _register(queue, event_cls, db)
    reject_unknown(queue)
    return [queue]


def _register(queue: Any, event_cls: type[Event], db: Database) -> None:
    # One handler per event type (FastStream picks the parser from the annotation); all share one use case.
    async def handler(event: Event) -> None:
        await routing.apply(db, event)

    handler.__annotations__ = {"event": event_cls, "return": None}

    handler.__name__ = f"on_{event_cls.routing_key.replace('.', '_')}"
    handler.__doc__ = f"Routing table update from `{event_cls.routing_key}` (latest occurred_at wins)."
    queue(filter=for_event(event_cls))(retry_transient()(handler))
