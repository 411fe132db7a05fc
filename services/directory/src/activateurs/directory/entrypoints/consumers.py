"""Event consumers: one publication queue for every event that changes what the directory shows."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts.contact_relay import (
    RequestAcknowledged,
    RequestForwarded,
    RequestOverdue,
    RequestRedirected,
)
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    MemberWithdrawn,
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
from activateurs.shared.messaging.consumer import (
    for_event,
    is_transient,
    reject_unknown,
    retry_transient,
    subscribe,
)
from activateurs.shared.messaging.topology import QueueSpec

from ..domain.publication import Fact
from ..service.publication import Publisher
from ..service.statistics import record_contact_step

PUBLICATION_EVENTS = (DossierAccepted, ProfileUpdated, StructureSuspended, StructureReinstated, StructureStruckOff,
                      StructureWithdrawn, StructureCancelled, MemberWithdrawn, AccountDeleted)
PUBLICATION = QueueSpec("directory.publication", tuple(cls.routing_key for cls in PUBLICATION_EVENTS))
CONTACT_EVENTS = (RequestForwarded, RequestAcknowledged, RequestOverdue, RequestRedirected)
CONTACT_STATISTICS = QueueSpec("directory.contact-statistics", tuple(cls.routing_key for cls in CONTACT_EVENTS))
QUEUES = (PUBLICATION, CONTACT_STATISTICS)


def register_consumers(broker: RabbitBroker, publisher: Publisher) -> list[Any]:
    return [_publication(broker, publisher), _contact_statistics(broker, publisher.db)]


def _contact_statistics(broker: RabbitBroker, db: Database) -> Any:
    queue = subscribe(broker, CONTACT_STATISTICS, title=CONTACT_STATISTICS.name)
    name = CONTACT_STATISTICS.name

    @queue(filter=for_event(RequestForwarded))
    @retry_transient()
    async def on_forwarded(event: RequestForwarded) -> None:
        """A contact received: counted on the day it was received."""
        await record_contact_step(db, name, event, event.data.request_id, event.data.structure_id,
                                  received_at=event.data.received_at or event.occurred_at,
                                  ack_deadline=event.data.ack_deadline)

    @queue(filter=for_event(RequestAcknowledged))
    @retry_transient()
    async def on_acknowledged(event: RequestAcknowledged) -> None:
        await record_contact_step(db, name, event, event.data.request_id, event.data.structure_id,
                                  acknowledged_at=event.data.at)

    @queue(filter=for_event(RequestOverdue))
    @retry_transient()
    async def on_overdue(event: RequestOverdue) -> None:
        await record_contact_step(db, name, event, event.data.request_id, event.data.structure_id,
                                  overdue_at=event.data.at)

    @queue(filter=for_event(RequestRedirected))
    @retry_transient()
    async def on_redirected(event: RequestRedirected) -> None:
        await record_contact_step(db, name, event, event.data.request_id, event.data.structure_id,
                                  redirected_at=event.data.at)

    reject_unknown(queue)
    return queue


def _publication(broker: RabbitBroker, publisher: Publisher) -> Any:
    queue = subscribe(broker, PUBLICATION, prefetch=64, title=PUBLICATION.name)

    @queue(filter=for_event(DossierAccepted))
    @retry_transient()
    async def on_accepted(event: DossierAccepted) -> None:
        """Publish the accepted structure's profile at once."""
        try:
            await publisher.handle(event, event.data.structure_id, fact=Fact.ACCEPTED, profile=event.data.profile,
                                   account_id=event.data.account_id)
        except Exception as error:
            if not is_transient(error):  # dead-lettered: the 24 h guard must still know it was accepted
                await publisher.acceptance_failed(event, event.data.structure_id)
            raise

    @queue(filter=for_event(ProfileUpdated))
    @retry_transient()
    async def on_profile_updated(event: ProfileUpdated) -> None:
        """Republish with the new profile (the latest by occurrence time wins)."""
        await publisher.handle(event, event.data.structure_id, profile=event.data.profile)

    @queue(filter=for_event(StructureSuspended))
    @retry_transient()
    async def on_suspended(event: StructureSuspended) -> None:
        await publisher.handle(event, event.data.structure_id, fact=Fact.SUSPENDED)

    @queue(filter=for_event(StructureReinstated))
    @retry_transient()
    async def on_reinstated(event: StructureReinstated) -> None:
        await publisher.handle(event, event.data.structure_id, fact=Fact.REINSTATED)

    @queue(filter=for_event(StructureStruckOff))
    @retry_transient()
    async def on_struck_off(event: StructureStruckOff) -> None:
        await publisher.handle(event, event.data.structure_id, fact=Fact.ENDED)

    @queue(filter=for_event(StructureWithdrawn))
    @retry_transient()
    async def on_withdrawn(event: StructureWithdrawn) -> None:
        await publisher.handle(event, event.data.structure_id, fact=Fact.ENDED)

    @queue(filter=for_event(StructureCancelled))
    @retry_transient()
    async def on_cancelled(event: StructureCancelled) -> None:
        await publisher.handle(event, event.data.structure_id, fact=Fact.ENDED)

    @queue(filter=for_event(MemberWithdrawn))
    @retry_transient()
    async def on_member_withdrawn(event: MemberWithdrawn) -> None:
        """The member's card leaves the profile (and stays out whatever older update arrives later)."""
        await publisher.handle(event, event.data.structure_id, removed_member=event.data.account_id)

    @queue(filter=for_event(AccountDeleted))
    @retry_transient()
    async def on_account_deleted(event: AccountDeleted) -> None:
        await publisher.account_deleted(event, event.data.account_id)

    reject_unknown(queue)
    return queue
