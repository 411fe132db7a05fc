"""Life in the programme: profile updates of an accepted structure, republished to the directory and contact-relay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.dossier import Profile, PublicMemberCard, RoutingData
from activateurs.shared.contracts.registration import ProfileUpdated, ProfileUpdatedData
from activateurs.shared.contracts.vocabulary import StructureStatus

from ..adapters.tables import accounts, dossiers, members
from ..domain.dossier import DossierDraft, derived, problems
from ..domain.members import initials
from .context import PRODUCER, Deps
from .dossier import Incomplete, _check_photo, _document_kinds
from .lifecycle import IN_PROGRAMME, NotInProgramme, _dossier_with_account

# Where a profile is online: changes there are republished (a suspended structure's profile is offline).
PUBLIC = {StructureStatus.ACCEPTED.value, StructureStatus.PUBLISHED.value}


class Suspended(Exception):
    """The structure is suspended by the DGE: its profile cannot change until it is reinstated."""


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `base`: nested objects merged, anything else replaced."""
    merged = dict(base)
    for key, value in patch.items():
        merged[key] = merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


def photo_url(deps: Deps, document_id: Any) -> str | None:
    return f"{deps.settings.api_base_url.rstrip('/')}/api/v1/photos/{document_id}" if document_id else None


def build_profile(draft: DossierDraft, *, account_id: uuid.UUID, first_name: str, last_name: str,
                  email: str, joined: Sequence[Any] = (), deps: Deps | None = None) -> Profile:
    """The public profile with the referent's card first, then each member's (`joined`: rows with the
    member's account fields and card); contact requests go to the referent and members who opted in."""
    s, card, place = draft.structure, draft.referent_card, derived(draft)
    cards = [PublicMemberCard(account_id=account_id, first_name=first_name, last_name=last_name,
                              presentation=card.presentation, references=card.references,
                              photo_url=photo_url(deps, card.photo_document_id) if deps else None,
                              avatar_initials=initials(first_name, last_name))]
    cards += [PublicMemberCard(account_id=row.id, first_name=row.first_name, last_name=row.last_name,
                               presentation=row.card.get("presentation"), references=row.card.get("references") or [],
                               photo_url=photo_url(deps, row.card.get("photo_document_id")) if deps else None,
                               avatar_initials=initials(row.first_name, row.last_name)) for row in joined]
    contacts = [email, *(row.email for row in joined if row.card.get("receive_contact_requests"))]
    return Profile.model_validate({
        **s.model_dump(mode="json", include={"name", "structure_type", "category", "address", "intervention_area",
                                              "headcount_band", "website", "social_links", "description", "pricing",
                                              "domains", "services", "client_references", "networks",
                                              "certifications"}),
        "department": place["department"], "region": place["region"],
        "members": cards,
        "routing": RoutingData(contact_emails=contacts, department=place["department"]),
    })


async def joined_members(session: AsyncSession, dossier_id: uuid.UUID) -> list[Any]:
    return list((await session.execute(
        sa.select(accounts.c.id, accounts.c.email, accounts.c.first_name, accounts.c.last_name, members.c.card)
        .join(members, members.c.account_id == accounts.c.id).where(members.c.dossier_id == dossier_id)
        .order_by(members.c.joined_at))).all())


async def republish(deps: Deps, session: AsyncSession, dossier_id: uuid.UUID) -> list[Event]:
    """registration.profile.updated.v1 with the structure's current profile, if it is online; else nothing.
    The dossier row is locked: concurrent card changes republish one after the other, the last one complete."""
    row = await _dossier_with_account(session, dossiers.c.id == dossier_id)
    if row is None or row.status not in PUBLIC or row.structure_id is None:
        return []
    profile = build_profile(DossierDraft.model_validate(row.draft), account_id=row.account_id,
                            first_name=row.first_name, last_name=row.last_name, email=row.email,
                            joined=await joined_members(session, dossier_id), deps=deps)
    return [ProfileUpdated.new(ProfileUpdatedData(structure_id=row.structure_id, profile=profile),
                               producer=PRODUCER, occurred_at=deps.db.clock.now())]


async def update_profile(deps: Deps, account_id: uuid.UUID, patch: dict[str, Any]) -> Profile:
    """Raises NotInProgramme before acceptance, Suspended while suspended, Incomplete when the result breaks a
    rule (nothing written)."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await _dossier_with_account(uow.session, dossiers.c.account_id == account_id)
        if row is None or row.status not in IN_PROGRAMME or row.structure_id is None:
            raise NotInProgramme("only the profile of a structure in the programme can be updated")
        if row.status == StructureStatus.SUSPENDED.value:
            raise Suspended("the structure is suspended: its profile cannot change until it is reinstated")
        draft = DossierDraft.model_validate(merge(row.draft, patch))
        await _check_photo(uow.session, account_id, draft.referent_card.photo_document_id)
        found = problems(draft, today=now.date(), document_kinds=await _document_kinds(uow.session, account_id))
        if found:
            raise Incomplete(found)
        profile = build_profile(draft, account_id=account_id, first_name=row.first_name, last_name=row.last_name,
                                email=row.email, joined=await joined_members(uow.session, row.id), deps=deps)
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id)
                                  .values(draft=draft.model_dump(mode="json"), updated_at=now))
        await uow.add_event(ProfileUpdated.new(ProfileUpdatedData(structure_id=row.structure_id, profile=profile),
                                               producer=PRODUCER, occurred_at=now))
        await uow.commit()
    return profile
