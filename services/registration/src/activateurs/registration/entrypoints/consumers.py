"""Event consumers of registration: the DGE's answers to dossiers, sanctions that delete accounts, new charters."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts.validation import (
    CharterPublished,
    DossierAccepted,
    DossierExpired,
    DossierRefused,
    InformationRequested,
    StructureStruckOff,
)
from activateurs.shared.messaging.consumer import for_event, reject_unknown, retry_transient, subscribe
from activateurs.shared.messaging.topology import QueueSpec

from ..service import lifecycle
from ..service.context import Deps

VALIDATION_OUTCOMES = QueueSpec(lifecycle.CONSUMER, (
    InformationRequested.routing_key, DossierAccepted.routing_key, DossierRefused.routing_key,
    DossierExpired.routing_key, StructureStruckOff.routing_key, CharterPublished.routing_key))
QUEUES = (VALIDATION_OUTCOMES,)


def register_consumers(broker: RabbitBroker, deps: Deps) -> list[Any]:
    queue = subscribe(broker, VALIDATION_OUTCOMES, title=VALIDATION_OUTCOMES.name)

    @queue(filter=for_event(InformationRequested))
    @retry_transient()
    async def on_information_requested(event: InformationRequested) -> None:
        """The dossier is editable again; the applicant is emailed the DGE's message."""
        await lifecycle.on_information_requested(deps, event)

    @queue(filter=for_event(DossierAccepted))
    @retry_transient()
    async def on_accepted(event: DossierAccepted) -> None:
        """Status accepted, the structure id kept for the tokens, the referent emailed."""
        await lifecycle.on_accepted(deps, event)

    @queue(filter=for_event(DossierRefused))
    @retry_transient()
    async def on_refused(event: DossierRefused) -> None:
        """Status refused (the structure may apply again), the applicant emailed with the reason."""
        await lifecycle.on_refused(deps, event)

    @queue(filter=for_event(DossierExpired))
    @retry_transient()
    async def on_expired(event: DossierExpired) -> None:
        """The 3-month rule: the account is deleted (registration.account.deleted.v1)."""
        await lifecycle.on_expired(deps, event)

    @queue(filter=for_event(StructureStruckOff))
    @retry_transient()
    async def on_struck_off(event: StructureStruckOff) -> None:
        """Struck off for good: the referent's account is deleted."""
        await lifecycle.on_struck_off(deps, event)

    @queue(filter=for_event(CharterPublished))
    @retry_transient()
    async def on_charter_published(event: CharterPublished) -> None:
        """A new charter version becomes the one submissions must accept."""
        await lifecycle.on_charter_published(deps, event)

    reject_unknown(queue)
    return [queue]
