"""Event consumers of contact-relay: the routing table kept from the other services' events."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts.directory import StructurePublished, StructureUnpublished
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    ProfileUpdated,
    StructureCancelled,
    StructureWithdrawn,
)
from activateurs.shared.contracts.validation import (
    DossierAccepted,
    StructureReinstated,
    StructureStruckOff,
    StructureSuspended,
)
from activateurs.shared.db import Database
from activateurs.shared.messaging.consumer import for_event, reject_unknown, retry_transient, subscribe
from activateurs.shared.messaging.topology import QueueSpec

from ..service import routing

ROUTING = QueueSpec(routing.CONSUMER, tuple(event_cls.routing_key for event_cls in routing.ROUTING_EVENTS))
QUEUES = (ROUTING,)


def register_consumers(broker: RabbitBroker, *, db: Database) -> list[Any]:
    """One handler per event type (FastStream picks the parser from the annotation), each applying it to the
    routing table (latest occurred_at wins)."""
    queue = subscribe(broker, ROUTING, title=ROUTING.name)

    @queue(filter=for_event(DossierAccepted))
    @retry_transient()
    async def on_dossier_accepted(event: DossierAccepted) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(ProfileUpdated))
    @retry_transient()
    async def on_profile_updated(event: ProfileUpdated) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructurePublished))
    @retry_transient()
    async def on_structure_published(event: StructurePublished) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructureUnpublished))
    @retry_transient()
    async def on_structure_unpublished(event: StructureUnpublished) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructureSuspended))
    @retry_transient()
    async def on_structure_suspended(event: StructureSuspended) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructureReinstated))
    @retry_transient()
    async def on_structure_reinstated(event: StructureReinstated) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructureStruckOff))
    @retry_transient()
    async def on_structure_struck_off(event: StructureStruckOff) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructureWithdrawn))
    @retry_transient()
    async def on_structure_withdrawn(event: StructureWithdrawn) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(StructureCancelled))
    @retry_transient()
    async def on_structure_cancelled(event: StructureCancelled) -> None:
        await routing.apply(db, event)

    @queue(filter=for_event(AccountDeleted))
    @retry_transient()
    async def on_account_deleted(event: AccountDeleted) -> None:
        await routing.apply(db, event)

    reject_unknown(queue)
    return [queue]
