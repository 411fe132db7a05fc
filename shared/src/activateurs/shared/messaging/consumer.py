"""Consumer policy: late ack after commit, bad payloads dead-lettered at once, transient errors retried."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import asyncpg
import sqlalchemy.exc
from faststream import AckPolicy
from faststream.exceptions import RejectMessage
from faststream.rabbit import Channel
from prometheus_client import Counter

from ..contracts import Event
from ..db_unavailable import is_unavailable
from ..errors import causes
from .topology import EVENTS_EXCHANGE, QueueSpec

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker
    from faststream.rabbit.subscriber import RabbitSubscriber

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

TRANSIENT_RETRIES = Counter("consumer_transient_retries_total", "Handler attempts retried after a transient error",
                            ["handler"])


def subscribe(broker: RabbitBroker, spec: QueueSpec, *, prefetch: int = 32, **kwargs: Any) -> RabbitSubscriber:
    """A subscriber on `spec`'s quorum queue.

    REJECT_ON_ERROR: the message is acked only once the handler returned (its transaction
    committed); an unexpected exception, including a payload that does not parse, rejects it
    without requeue, i.e. straight to the queue's dead-letter queue instead of looping.
    """
    return broker.subscriber(
        spec.queue(),
        EVENTS_EXCHANGE,
        ack_policy=AckPolicy.REJECT_ON_ERROR,
        channel=Channel(prefetch_count=prefetch),
        **kwargs,
    )


def is_transient(error: BaseException) -> bool:
    """Errors that may go away by themselves: the database or the network being briefly unavailable."""
    if is_unavailable(error):  # restart, dropped or refused connection (the same list HTTP answers 503 to)
        return True
    for current in causes(error):
        if isinstance(current, (OSError, TimeoutError, asyncpg.PostgresConnectionError,
                                asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError,
                                asyncpg.SerializationError, asyncpg.DeadlockDetectedError,
                                asyncpg.InterfaceError, sqlalchemy.exc.OperationalError,
                                sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError)):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
    return False


def retry_transient(
    attempts: int = 5, first_delay: float = 0.2, max_delay: float = 5.0
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Retry a handler on transient errors, holding the message; then requeue it.

    Retrying in place keeps the broker's delivery count (and so the dead-letter limit) for
    messages that really fail, instead of spending it during a short database restart.
    """

    def decorate(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(handler)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            delay = first_delay
            for attempt in range(1, attempts + 1):
                try:
                    return await handler(*args, **kwargs)
                except Exception as error:
                    if not is_transient(error):
                        raise
                    TRANSIENT_RETRIES.labels(handler.__name__).inc()
                    log.warning("%s: transient %s (attempt %d/%d)", handler.__name__,
                                type(error).__name__, attempt, attempts)
                    if attempt == attempts:
                        raise RejectMessage(requeue=True) from error
                    await asyncio.sleep(delay)
                    delay = min(max_delay, delay * 2)
            raise AssertionError("unreachable")

        return wrapper

    return decorate


def for_event(event_cls: type[Event]) -> Callable[[Any], bool]:
    """A subscriber filter, for a queue bound to several event types: one handler per type.

        queue = subscribe(broker, QueueSpec("directory.publication", (A.routing_key, B.routing_key)))

        @queue(filter=for_event(A))
        async def on_a(event: A) -> None: ...

    End with `reject_unknown(queue)`, so a message no handler takes is dead-lettered, not left to loop.
    """

    def matches(message: Any) -> bool:
        return message.headers.get("event_type") == event_cls.routing_key

    return matches


def reject_unknown(subscriber: RabbitSubscriber) -> None:
    """The last handler of a multi-event queue: what no filter took goes to the dead-letter queue."""

    @subscriber
    async def unknown_event_type(body: bytes) -> None:
        log.warning("%s: no handler for this event type: dead-lettered", subscriber.queue.name)
        raise RejectMessage(requeue=False)
