"""HTTP API of life in the programme: engagement renewal (A6) and acceptance of a new charter version."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, StrictInt

from ..service import charter as charter_cases
from ..service import dossier as dossier_cases
from ..service import engagement as engagement_cases
from ..service import lifecycle
from .http import ACTIVATOR_ONLY, BAD_BODY, REFERENT_ONLY, ActivatorPrincipal, ReferentId, Registration, account_id_of

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
