"""The event envelope every message carries, and the registry of event types by routing key."""

from __future__ import annotations

import json
import typing
from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Contract(BaseModel):
    """A frozen message shape. Unknown fields are ignored so producers may add fields freely."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class UnknownEventType(ValueError):
    """The message names an event type this codebase does not know."""


EVENT_TYPES: dict[str, type[Event]] = {}


class Event(Contract):
    """The envelope: `{event_id, event_type, occurred_at, producer, correlation_id, data}`.

    Each subclass fixes `event_type` to a `Literal[...]` routing key (past tense, versioned);
    that literal is the single place the key is written.
    """

    routing_key: ClassVar[str]

    event_id: UUID = Field(default_factory=uuid4)
    event_type: str
    occurred_at: AwareDatetime
    producer: str
    correlation_id: str | None = None
    data: Any

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        literal = typing.get_args(cls.model_fields["event_type"].annotation)
        if len(literal) != 1:
            raise TypeError(f"{cls.__name__}.event_type must be a one-value Literal")
        cls.routing_key = literal[0]
        if cls.routing_key in EVENT_TYPES:
            raise TypeError(f"two event classes claim {cls.routing_key}")
        EVENT_TYPES[cls.routing_key] = cls

    @classmethod
    def new(
        cls,
        data: Any,
        *,
        producer: str,
        occurred_at: datetime,
        correlation_id: str | None = None,
        event_id: UUID | None = None,
    ) -> Self:
        """Build an event of this type; `occurred_at` comes from the caller's clock."""
        return cls(
            event_id=event_id or uuid4(),
            event_type=cls.routing_key,
            occurred_at=occurred_at,
            producer=producer,
            correlation_id=correlation_id,
            data=data,
        )

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode()


def parse_event(body: bytes | str | dict[str, Any]) -> Event:
    """Parse an envelope into its typed event. Raises UnknownEventType or pydantic.ValidationError."""
    raw = json.loads(body) if isinstance(body, (bytes, str)) else body
    if not isinstance(raw, dict):
        raise UnknownEventType("the message body is not a JSON object")
    event_cls = EVENT_TYPES.get(str(raw.get("event_type")))
    if event_cls is None:
        raise UnknownEventType(f"unknown event type {raw.get('event_type')!r}")
    return event_cls.model_validate(raw)
