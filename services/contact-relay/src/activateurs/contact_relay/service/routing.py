"""Keeping the routing table of published structures from the other services' events (inbox, latest wins)."""

from __future__ import annotations

import sqlalchemy as sa

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.directory import StructurePublished, StructureUnpublished
from activateurs.shared.contracts.dossier import Profile
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
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters import routing
from ..adapters.tables import structures

CONSUMER = "contact-relay.routing"

# Not bound: registration.member.withdrawn.v1 (CONTRACTS lists contact-relay among its readers). Requests
# are addressed to the structure, and the only place the relay holds a member's address is the
# routing's `contact_emails`, which registration owns and republishes (profile.updated) without the
# member who left; reminders, overdue and redirection mails read that list when they are sent, so they
# follow it (tests/integration/test_contact_relay_member_withdrawal.py). The event itself names an
# account, not an address, and nothing here maps accounts to addresses: there is nothing to apply.
ROUTING_EVENTS: tuple[type[Event], ...] = (
    DossierAccepted, ProfileUpdated, StructurePublished, StructureUnpublished, StructureSuspended,
    StructureReinstated, StructureStruckOff, StructureWithdrawn, StructureCancelled, AccountDeleted,
)


def _profile_values(profile: Profile) -> dict[str, object]:
    return {
        "name": profile.name,
        "city": profile.address.city,
        "department": profile.routing.department or profile.department,
        "region": profile.region,
        "timezone": profile.routing.timezone,
        "contact_emails": [str(email).lower() for email in profile.routing.contact_emails],
        "domains": [str(domain) for domain in profile.domains],
    }


async def apply(db: Database, event: Event) -> bool:
    """Apply one routing event once; False for a duplicate delivery."""
    async with db.uow() as uow:
        session = uow.session
        if not await first_delivery(session, CONSUMER, event, db.clock.now()):
            return False
        at = event.occurred_at
        match event:
            case DossierAccepted(data=data):
                await routing.apply_if_newer(session, data.structure_id,
                                             {**_profile_values(data.profile), "account_id": data.account_id},
                                             stamp="profile_at", at=at)
                # A structure accepted again after leaving (not after a strike-off) routes requests again.
                await session.execute(
                    sa.update(structures)
                    .where(structures.c.structure_id == data.structure_id, structures.c.ended_at < at,
                           structures.c.ended_for.notin_(routing.FINAL_ENDS))
                    .values(ended_for=None, ended_at=None))
                # Its account was deleted before this acceptance reached us: the deletion still wins.
                if (deleted := await routing.deleted_at(session, data.account_id)) is not None:
                    await routing.forget_account(session, data.account_id, deleted)
            case ProfileUpdated(data=data):
                await routing.apply_if_newer(session, data.structure_id, _profile_values(data.profile),
                                             stamp="profile_at", at=at)
            case StructurePublished(data=data):
                await routing.release_slug(session, data.slug, data.structure_id)
                await routing.apply_if_newer(session, data.structure_id,
                                             {"slug": data.slug, "profile_url": data.url, "published": True},
                                             stamp="publication_at", at=at)
            case StructureUnpublished(data=data):
                await routing.apply_if_newer(session, data.structure_id, {"published": False},
                                             stamp="publication_at", at=at)
            case StructureSuspended(data=data):
                await routing.apply_if_newer(session, data.structure_id, {"suspended": True},
                                             stamp="sanction_at", at=at)
            case StructureReinstated(data=data):
                await routing.apply_if_newer(session, data.structure_id, {"suspended": False},
                                             stamp="sanction_at", at=at)
            case StructureStruckOff(data=data):
                await routing.end(session, data.structure_id, "struck_off", at)
            case StructureWithdrawn(data=data):
                await routing.end(session, data.structure_id, "withdrawn", at)
            case StructureCancelled(data=data):
                await routing.end(session, data.structure_id, "cancelled", at)
            case AccountDeleted(data=data):
                # The referent's account gone means the structure is gone. A member's account (not the
                # referent's) is not in this table; its address leaves the routing with the next profile update.
                for structure_id in await routing.structures_of_account(session, data.account_id):
                    await routing.end(session, structure_id, "deleted", at)
                await routing.forget_account(session, data.account_id, at)
                await routing.remember_deleted(session, data.account_id, at)
        await uow.commit()
    return True
