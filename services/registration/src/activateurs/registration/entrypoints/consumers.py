"""Event consumers of registration: the DGE's answers and sanctions, new charters, campaigns, publication."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts.directory import StructurePublished
from activateurs.shared.contracts.validation import (
    CharterPublished,
    DossierAccepted,
    DossierExpired,
    DossierRefused,
    InformationRequested,
    QuestionnaireLaunched,
    StructureReinstated,
    StructureStruckOff,
    StructureSuspended,
)
from activateurs.shared.messaging.consumer import for_event, reject_unknown, retry_transient, subscribe
from activateurs.shared.messaging.topology import QueueSpec

from ..service import campaigns, charter, lifecycle, publication, sanctions
from ..service.context import Deps

VALIDATION_OUTCOMES = QueueSpec(lifecycle.CONSUMER, (
    InformationRequested.routing_key, DossierAccepted.routing_key, DossierRefused.routing_key,
    DossierExpired.routing_key, StructureStruckOff.routing_key, CharterPublished.routing_key))
SANCTIONS = QueueSpec(sanctions.CONSUMER, (StructureSuspended.routing_key, StructureReinstated.routing_key))
CAMPAIGNS = QueueSpec(campaigns.CONSUMER, (QuestionnaireLaunched.routing_key,))
PUBLICATION = QueueSpec(publication.CONSUMER, (StructurePublished.routing_key,))
QUEUES = (VALIDATION_OUTCOMES, SANCTIONS, CAMPAIGNS, PUBLICATION)


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
        """A new charter version: the one to accept from now on; structures in the programme asked to, by the
        deadline (referents and members emailed `charter_to_accept`)."""
        await charter.on_charter_published(deps, event)

    reject_unknown(queue)

    sanction_queue = subscribe(broker, SANCTIONS, title=SANCTIONS.name)

    @sanction_queue(filter=for_event(StructureSuspended))
    @retry_transient()
    async def on_suspended(event: StructureSuspended) -> None:
        """Status suspended (the profile cannot change); validation sends the email."""
        await sanctions.on_sanction(deps, event)

    @sanction_queue(filter=for_event(StructureReinstated))
    @retry_transient()
    async def on_reinstated(event: StructureReinstated) -> None:
        """Back to the status before the suspension; validation sends the email."""
        await sanctions.on_sanction(deps, event)

    reject_unknown(sanction_queue)

    campaign_queue = subscribe(broker, CAMPAIGNS, title=CAMPAIGNS.name)

    @campaign_queue
    @retry_transient()
    async def on_questionnaire(event: QuestionnaireLaunched) -> None:
        """Every referent and member of an accepted or published structure emailed once per campaign."""
        await campaigns.on_questionnaire_launched(deps, event)

    publication_queue = subscribe(broker, PUBLICATION, title=PUBLICATION.name)

    @publication_queue
    @retry_transient()
    async def on_published(event: StructurePublished) -> None:
        """First publication: status published and `profile_published` to the referent (republications: nothing)."""
        await publication.on_published(deps, event)

    return [queue, sanction_queue, campaign_queue, publication_queue]
