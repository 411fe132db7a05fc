"""HTTP API of life in the programme: engagement renewal (A6), acceptance of a new charter version, and the record
of a structure's acceptances for the DGE and the DREETS."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, StrictInt

from activateurs.shared.auth import Principal, region_scope, require_roles
from activateurs.shared.contracts.vocabulary import Role

from ..service import charter as charter_cases
from ..service import dossier as dossier_cases
from ..service import engagement as engagement_cases
from ..service import lifecycle
from .http import (
    ACTIVATOR_ONLY,
    BAD_BODY,
    REFERENT_ONLY,
    UNAUTHENTICATED,
    ActivatorPrincipal,
    ReferentId,
    Registration,
    account_id_of,
)

router = APIRouter(tags=["programme"], responses=BAD_BODY)


class CharterVersion(BaseModel):
    charter_version: StrictInt = Field(ge=1)


class Renewed(BaseModel):
    engagement_expires_at: datetime


@router.post("/api/v1/engagement/renewal", response_model=Renewed,
             summary="Renew the engagement for 24 months from its current end, accepting the current charter",
             responses={**REFERENT_ONLY, 409: {"description": "stale charter version, no running engagement "
                                                              "(lapsed, suspended, not accepted), or too early"}})
async def renew(body: CharterVersion, referent: ReferentId, registration: Registration) -> Renewed:
    try:
        return Renewed(engagement_expires_at=await engagement_cases.renew(registration, referent, body.charter_version))
    except dossier_cases.StaleCharter as error:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"charter version {body.charter_version} is not the current one ({error.current})") from error
    except (lifecycle.NotInProgramme, engagement_cases.TooEarly) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error


class Accepted(BaseModel):
    charter_version: int
    accepted_at: datetime


@router.post("/api/v1/charter/acceptance", response_model=Accepted,
             summary="Accept the current charter version (referent or member); bound by it at once",
             responses={**ACTIVATOR_ONLY, 409: {"description": "not the current version"}})
async def accept_charter(body: CharterVersion, principal: ActivatorPrincipal, registration: Registration) -> Accepted:
    try:
        accepted_at = await charter_cases.accept(registration, account_id_of(principal), body.charter_version)
    except dossier_cases.StaleCharter as error:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"charter version {body.charter_version} is not the current one ({error.current})") from error
    return Accepted(charter_version=body.charter_version, accepted_at=accepted_at)


class Acceptance(BaseModel):
    charter_version: int
    accepted_at: datetime
    account_id: uuid.UUID = Field(description="the referent's or a current member's account")
    referent: bool = Field(description="whether the referent accepted it (the structure's acceptance)")


class Acceptances(BaseModel):
    structure_id: uuid.UUID
    charter_version: int | None = Field(description="the version the structure is bound by (its referent's last)")
    items: list[Acceptance] = Field(description="oldest first")


Reader = Annotated[Principal, require_roles(Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT)]


@router.get("/api/v1/structures/{structure_id}/charter-acceptances", response_model=Acceptances,
            summary="The charter versions a structure's referent and members accepted, and when (DGE; DREETS: its "
                    "region's structures)",
            responses={**UNAUTHENTICATED,
                       403: {"description": "not a DGE or DREETS agent, or a DREETS token naming no region"},
                       404: {"description": "no such structure (or, for a DREETS agent, one of another region)"},
                       422: {"description": "not a structure id"}})
async def charter_acceptances(structure_id: uuid.UUID, principal: Reader, registration: Registration) -> Acceptances:
    found = await charter_cases.structure_acceptances(registration, structure_id, region=region_scope(principal))
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such structure")
    return Acceptances(**found)
