"""Every integration event and message shape, defined once (CONTRACTS.md)."""

from . import contact_relay, directory, notifier, registration, validation
from .base import EVENT_TYPES, Contract, Event, UnknownEventType, parse_event

__all__ = [
    "EVENT_TYPES",
    "Contract",
    "Event",
    "UnknownEventType",
    "contact_relay",
    "directory",
    "notifier",
    "parse_event",
    "registration",
    "validation",
]
