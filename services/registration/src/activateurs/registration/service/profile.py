"""Life in the programme: profile updates of an accepted structure, republished to the directory and contact-relay."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from activateurs.shared.contracts.dossier import Profile, PublicMemberCard, RoutingData
from activateurs.shared.contracts.registration import ProfileUpdated, ProfileUpdatedData

from ..adapters.tables import dossiers
from ..domain.dossier import DossierDraft, derived, problems
from .context import PRODUCER, Deps
from .dossier import Incomplete, _check_photo, _document_kinds
from .lifecycle import IN_PROGRAMME, NotInProgramme, _dossier_with_account


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `base`: nested objects merged, anything else replaced."""
    merged = dict(base)
    for key, value in patch.items():
        merged[key] = merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


def build_profile(draft: DossierDraft, *, account_id: uuid.UUID, first_name: str, last_name: str,
                  email: str) -> Profile:
    s, card, place = draft.structure, draft.referent_card, derived(draft)
    initials = (first_name[:1] + last_name[:1]).upper() or "?"
    return Profile.model_validate({
        **s.model_dump(mode="json", include={"name", "structure_type", "category", "address", "intervention_area",
                                              "headcount_band", "website", "social_links", "description", "pricing",
                                              "domains", "services", "client_references", "networks",
                                              "certifications"}),
        "department": place["department"], "region": place["region"],
        "members": [PublicMemberCard(account_id=account_id, first_name=first_name, last_name=last_name,
                                     presentation=card.presentation, references=card.references,
                                     avatar_initials=initials)],
        "routing": RoutingData(contact_emails=[email], department=place["department"]),
    })


async def update_profile(deps: Deps, account_id: uuid.UUID, patch: dict[str, Any]) -> Profile:
    """Raises NotInProgramme before acceptance, Incomplete when the result breaks a rule (nothing written)."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await _dossier_with_account(uow.session, dossiers.c.account_id == account_id)
        if row is None or row.status not in IN_PROGRAMME or row.structure_id is None:
            raise NotInProgramme("only the profile of a structure in the programme can be updated")
        draft = DossierDraft.model_validate(merge(row.draft, patch))
        await _check_photo(uow.session, account_id, draft.referent_card.photo_document_id)
        found = problems(draft, today=now.date(), document_kinds=await _document_kinds(uow.session, account_id))
        if found:
            raise Incomplete(found)
        profile = build_profile(draft, account_id=account_id, first_name=row.first_name, last_name=row.last_name,
                                email=row.email)
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id)
                                  .values(draft=draft.model_dump(mode="json"), updated_at=now))
        await uow.add_event(ProfileUpdated.new(ProfileUpdatedData(structure_id=row.structure_id, profile=profile),
                                               producer=PRODUCER, occurred_at=now))
        await uow.commit()
    return profile

