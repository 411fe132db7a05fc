"""HTTP API of members: invitations by the referent, acceptance, member cards and photos, public card photos."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, EmailStr, Field, StrictBool, StrictInt

from activateurs.shared.auth import InvalidToken

from ..domain.members import MemberCard
from ..service import dossier as dossier_cases
from ..service import members as member_cases
from .http import (
    ACTIVATOR_ONLY,
    BAD_BODY,
    REFERENT_ONLY,
    ActivatorPrincipal,
    ReferentId,
    Registration,
    account_id_of,
    parse_multipart,
    read_body,
)

router = APIRouter(tags=["members"], responses=BAD_BODY)
MEMBER_ONLY = {**ACTIVATOR_ONLY, 403: {"description": "not a member of a structure"}}


class Invitation(BaseModel):
    email: EmailStr = Field(max_length=320)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


@router.post("/api/v1/structure/members", status_code=201, summary="Invite a member (emailed a signed link)",
             responses={**REFERENT_ONLY, 409: {"description": "already invited or member, an address with an "
                                                              "account, or a structure that takes no member"},
                        429: {"description": "too many emails to this address lately"}})
async def invite(body: Invitation, referent: ReferentId, registration: Registration) -> dict[str, Any]:
    try:
        return await member_cases.invite(registration, referent, email=str(body.email), first_name=body.first_name,
                                         last_name=body.last_name)
    except (member_cases.AlreadyInvited, member_cases.EmailTaken, member_cases.ClosedStructure) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except member_cases.TooManyInvitations as error:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(error), headers={"Retry-After": "3600"}) from error


@router.get("/api/v1/structure/members", summary="The structure's invitations and members, with their cards",
            responses=REFERENT_ONLY)
async def list_members(referent: ReferentId, registration: Registration) -> list[dict[str, Any]]:
    return await member_cases.list_members(registration, referent)


class InvitationAcceptance(BaseModel):
    token: str = Field(min_length=1, max_length=4096, description="`T` of `{PUBLIC_BASE_URL}/invitation?token=T`.")
    password: str = Field(min_length=12, max_length=256, description="12 characters at least.")
    charter_version: StrictInt = Field(ge=1)
    accept_charter: StrictBool


@router.post("/api/v1/structure/members/invitation", status_code=201,
             summary="Accept an invitation: a verified member account, the current charter accepted",
             responses={400: {"description": "forged, expired, replaced or already used invitation"},
                        409: {"description": "stale charter version, address already has an account, or the "
                                             "structure takes no member"},
                        422: {"description": "charter not accepted, or a short password"}})
async def accept_invitation(body: InvitationAcceptance, registration: Registration) -> dict[str, Any]:
    if not body.accept_charter:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the charter must be accepted (accept_charter: true)")
    try:
        account_id = await member_cases.accept_invitation(registration, body.token, password=body.password,
                                                          charter_version=body.charter_version)
    except InvalidToken as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"invalid or expired invitation: {error}") from error
    except dossier_cases.StaleCharter as error:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"charter version {body.charter_version} is not the current one ({error.current})") from error
    except (member_cases.EmailTaken, member_cases.ClosedStructure) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    return {"account_id": str(account_id), "detail": "welcome: sign in with your email and password"}


@router.get("/api/v1/structure/members/me/card", summary="The caller's member card", responses=MEMBER_ONLY)
async def get_card(principal: ActivatorPrincipal, registration: Registration) -> dict[str, Any]:
    try:
        return await member_cases.get_card(registration, account_id_of(principal))
    except member_cases.NotAMember as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error


@router.put("/api/v1/structure/members/me/card", summary="Save the member card; republished if the profile is online",
            responses={**MEMBER_ONLY, 422: {"description": "wrong field, type or format, or a photo not yours"}})
async def put_card(body: MemberCard, principal: ActivatorPrincipal, registration: Registration) -> dict[str, Any]:
    try:
        return await member_cases.put_card(registration, account_id_of(principal), body)
    except member_cases.NotAMember as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    except dossier_cases.ForeignDocument as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error


PHOTO_PATH = "/api/v1/structure/members/me/photo"
PHOTO_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post(PHOTO_PATH, status_code=201, openapi_extra=PHOTO_FORM,
             summary="Upload the card's photo (PNG or JPEG, by content); then set photo_document_id on the card",
             responses={**MEMBER_ONLY, 400: {"description": "not a multipart form"},
                        413: {"description": "photo too large"}, 415: {"description": "not PNG or JPEG"},
                        422: {"description": "missing or empty file"}})
async def upload_photo(request: Request, principal: ActivatorPrincipal, registration: Registration) -> dict[str, Any]:
    limit = registration.settings.max_photo_bytes
    body = await read_body(request, limit + 64 * 1024)
    fields = parse_multipart(request.headers.get("content-type", ""), body)
    if "file" not in fields or not fields["file"][0]:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the form needs a non-empty field `file`")
    content, filename = fields["file"]
    if len(content) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"photos are limited to {limit} bytes")
    try:
        return await member_cases.upload_photo(registration, account_id_of(principal), content, filename)
    except member_cases.NotAMember as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    except dossier_cases.UnsupportedFile as error:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(error)) from error


@router.get("/api/v1/photos/{document_id}", summary="A photo shown on an online profile's card (public)",
            responses={404: {"description": "no such photo on an online profile"}})
async def public_photo(document_id: uuid.UUID, registration: Registration) -> Response:
    row = await member_cases.public_photo(registration, document_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such photo")
    return Response(row.content, media_type=row.content_type, headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"})
