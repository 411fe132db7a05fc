"""Event consumers of the validation service: submitted dossiers become review cases."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from activateurs.shared.contracts.contact_relay import RequestOverdue
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    DossierSubmitted,
    EngagementRenewed,
    StructureCancelled,
    StructureWithdrawn,
)
from activateurs.shared.messaging.batching import GroupCommitter
from activateurs.shared.messaging.consumer import for_event, reject_unknown, retry_transient, subscribe
from activateurs.shared.messaging.topology import QueueSpec

from ..service import registration_events, statistics
from ..service.common import Context
from ..service.intake import CONSUMER, PreparedRevision, WebsiteProbe, prepare, store_revisions

SUBMISSIONS = QueueSpec(CONSUMER, (DossierSubmitted.routing_key,))
REGISTRATION_CHANGES = QueueSpec(registration_events.CONSUMER, (
    StructureWithdrawn.routing_key, StructureCancelled.routing_key, EngagementRenewed.routing_key,
    AccountDeleted.routing_key))
OVERDUE = QueueSpec(statistics.OVERDUE_CONSUMER, (RequestOverdue.routing_key,))
QUEUES = (SUBMISSIONS, REGISTRATION_CHANGES, OVERDUE)


def register_consumers(broker: RabbitBroker, ctx: Context, *, prefetch: int,
                       website_probe: WebsiteProbe | None) -> list[Any]:
    submissions = subscribe(broker, SUBMISSIONS, prefetch=prefetch, title=SUBMISSIONS.name)
    # Concurrent deliveries share one transaction (group commit); each is acked once it committed.
    intake: GroupCommitter[PreparedRevision, None] = GroupCommitter(lambda batch: store_revisions(ctx, batch))

    @submissions
    @retry_transient()
    async def on_dossier_submitted(event: DossierSubmitted) -> None:
        """Store the revision, its pre-checks, and create or move on the review case."""
        await intake.submit(await prepare(event, website_probe=website_probe))

    changes = subscribe(broker, REGISTRATION_CHANGES, title=REGISTRATION_CHANGES.name)

    @changes(filter=for_event(StructureWithdrawn))
    @retry_transient()
    async def on_structure_withdrawn(event: StructureWithdrawn) -> None:
        """The structure left: sanctions no longer apply."""
        await registration_events.structure_left(ctx, event)

    @changes(filter=for_event(StructureCancelled))
    @retry_transient()
    async def on_structure_cancelled(event: StructureCancelled) -> None:
        """The structure was cancelled (engagement lapsed, charter not accepted)."""
        await registration_events.structure_left(ctx, event)

    @changes(filter=for_event(EngagementRenewed))
    @retry_transient()
    async def on_engagement_renewed(event: EngagementRenewed) -> None:
        """Keep the engagement's end date the DGE sees up to date."""
        await registration_events.engagement_renewed(ctx, event)

    @changes(filter=for_event(AccountDeleted))
    @retry_transient()
    async def on_account_deleted(event: AccountDeleted) -> None:
        """Erase the person's cases (GDPR); the audit log stays."""
        await registration_events.account_deleted(ctx, event)

    reject_unknown(changes)

    overdue = subscribe(broker, OVERDUE, title=OVERDUE.name)

    @overdue
    @retry_transient()
    async def on_request_overdue(event: RequestOverdue) -> None:
        """Count the structure's missed acknowledgement for the DGE's statistics."""
        await statistics.record_overdue(ctx, event)

    return [submissions, changes, overdue]
