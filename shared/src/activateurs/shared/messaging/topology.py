"""The RabbitMQ topology: one topic exchange, quorum queues `<service>.<purpose>`, a dead-letter queue each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

EVENTS_EXCHANGE = RabbitExchange(
    "activateurs.events",
    type=ExchangeType.TOPIC,
    durable=True,
    # Events nobody subscribes to yet (audit events, say) land in `activateurs.unrouted`
    # instead of coming back to the publisher: the relay can use `mandatory` without
    # treating "no consumer yet" as an error, and nothing is silently dropped.
    arguments={"alternate-exchange": "activateurs.unrouted"},
)
UNROUTED_EXCHANGE = RabbitExchange("activateurs.unrouted", type=ExchangeType.FANOUT, durable=True)
DEAD_LETTER_EXCHANGE = RabbitExchange("activateurs.dead-letter", type=ExchangeType.DIRECT, durable=True)

UNROUTED_QUEUE = RabbitQueue(
    "activateurs.unrouted",
    queue_type=QueueType.QUORUM,
    # Bounded: it is an operator's window on unconsumed events, not a store.
    arguments={"x-max-length": 100_000, "x-overflow": "drop-head"},
)

DEFAULT_DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class QueueSpec:
    """A consumer's durable queue, the routing keys bound to it, and its dead-letter queue."""

    name: str
    routing_keys: tuple[str, ...]
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT

    def __post_init__(self) -> None:
        if "." not in self.name or not self.routing_keys:
            raise ValueError("a queue is named <service>.<purpose> and bound to at least one key")

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}.dead-letter"

    def queue(self) -> RabbitQueue:
        """The queue as its subscriber declares it (bound to the first key; declare_topology binds the rest)."""
        return RabbitQueue(
            self.name,
            queue_type=QueueType.QUORUM,
            routing_key=self.routing_keys[0],
            arguments={
                # Explicit, so RabbitMQ 3.x (no default) and 4.x (default 20) behave the same.
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
                "x-dead-letter-routing-key": self.name,
            },
        )

    def dead_letter_queue(self) -> RabbitQueue:
        return RabbitQueue(self.dead_letter_name, queue_type=QueueType.QUORUM, routing_key=self.name)


async def declare_topology(broker: RabbitBroker, queues: tuple[QueueSpec, ...] = ()) -> None:
    """Declare exchanges, the given queues with all their bindings, and their dead-letter queues.

    Idempotent: every replica runs it at start-up; declarations with the same arguments are no-ops.
    """
    unrouted_exchange = await broker.declare_exchange(UNROUTED_EXCHANGE)
    unrouted = await broker.declare_queue(UNROUTED_QUEUE)
    await unrouted.bind(unrouted_exchange)
    events = await broker.declare_exchange(EVENTS_EXCHANGE)
    dead_letters = await broker.declare_exchange(DEAD_LETTER_EXCHANGE)
    for spec in queues:
        dlq = await broker.declare_queue(spec.dead_letter_queue())
        await dlq.bind(dead_letters, routing_key=spec.name)
        queue = await broker.declare_queue(spec.queue())
        for key in spec.routing_keys:
            await queue.bind(events, routing_key=key)
