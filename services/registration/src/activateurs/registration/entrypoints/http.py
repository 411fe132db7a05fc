"""HTTP API of registration: accounts, tokens and JWKS, charter, dossier and documents, submission, GDPR."""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

import pydantic
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, EmailStr, Field, StrictBool, StrictInt

from activateurs.shared.auth import CurrentPrincipal, InvalidToken, Principal, region_scope, require_roles
from activateurs.shared.contracts.vocabulary import DocumentKind, Role

from ..domain.dossier import PROFILE_FIELDS, DossierDraft, ProfilePatch
from ..service import accounts as account_cases
from ..service import dossier as dossier_cases
from ..service import leaving, lifecycle
from ..service import members as member_cases
from ..service import profile as profile_cases
from ..service.context import Deps
from ..service.sessions import IssuedSession

# A body that is not even UTF-8 JSON is refused by FastAPI before any model sees it.
BAD_BODY: dict[int | str, dict[str, Any]] = {400: {"description": "a body that cannot be read (not UTF-8 JSON)"}}
router = APIRouter(responses=BAD_BODY)
ActivatorPrincipal = Annotated[Principal, require_roles(Role.ACTIVATOR)]
UNAUTHENTICATED = {401: {"description": "no, invalid or expired token"}}
ACTIVATOR_ONLY = {**UNAUTHENTICATED, 403: {"description": "not an activator"}}


def deps(request: Request) -> Deps:
    return request.app.state.registration


Registration = Annotated[Deps, Depends(deps)]
REFERENT_ONLY = {**ACTIVATOR_ONLY, 403: {"description": "not an activator, or a member (only the referent may)"}}


def account_id_of(principal: Principal) -> uuid.UUID:
    try:
        return uuid.UUID(principal.subject)
    except ValueError as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token: subject is not an account",
                            headers={"WWW-Authenticate": "Bearer"}) from error


async def referent_id(principal: ActivatorPrincipal, registration: Registration) -> uuid.UUID:
    """The caller's account id, if they act for a structure of their own (not as a member of someone else's)."""
    account_id = account_id_of(principal)
    if await member_cases.is_member(registration, account_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "members cannot do this: only the structure's referent can")
    return account_id


ReferentId = Annotated[uuid.UUID, Depends(referent_id)]


class Detail(BaseModel):
    detail: str


# --- Accounts and tokens --------------------------------------------------------------------------------------------


class AccountCreation(BaseModel):
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=12, max_length=256, description="12 characters at least.")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


ACCEPTED = "if the address can be used, an email has been sent to it"


@router.post("/api/v1/accounts", status_code=202, response_model=Detail, tags=["accounts"],
             summary="Create an account (same answer whether the email is new or not)")
async def create_account(body: AccountCreation, registration: Registration) -> Detail:
    await account_cases.create_account(registration, account_cases.NewAccount(
        email=str(body.email), password=body.password, first_name=body.first_name, last_name=body.last_name))
    return Detail(detail=ACCEPTED)


class VerificationBody(BaseModel):
    token: str = Field(min_length=1, max_length=4096)


@router.post("/api/v1/accounts/verification", response_model=Detail, tags=["accounts"],
             summary="Confirm an email address with the token of the verification link",
             responses={400: {"description": "expired or invalid token"}})
async def verify(body: VerificationBody, registration: Registration) -> Detail:
    try:
        await account_cases.verify_email(registration, body.token)
    except InvalidToken as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"invalid or expired verification link: {error}") from error
    return Detail(detail="email address verified")


class ResendBody(BaseModel):
    email: EmailStr = Field(max_length=320)


@router.post("/api/v1/accounts/verification-email", status_code=202, response_model=Detail, tags=["accounts"],
             summary="Send a new verification link (same answer whatever the address)")
async def resend(body: ResendBody, registration: Registration) -> Detail:
    await account_cases.resend_verification(registration, str(body.email))
    return Detail(detail=ACCEPTED)


class TokenAnswer(BaseModel):
    access_token: str = Field(description="A JWT for every service, valid `expires_in` seconds (15 min by default).")
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str | None = Field(default=None, description="Exchanged at POST /api/v1/accounts/session/refresh "
                                      "for a new access token (with the account's current structure and roles) and "
                                      "a new refresh token: each works once.")
    refresh_expires_in: int | None = Field(default=None, description="Seconds until the refresh token expires unused.")


SESSION_DESIGN = (
    "Each sign-in opens a session. Its access token (JWT, `sid` claim) is short-lived; its refresh token is "
    "exchanged at POST /api/v1/accounts/session/refresh for a fresh pair, the access token carrying the account's "
    "current `structure_id` and roles (after an acceptance, or once a member joined). A refresh token works once: "
    "presenting a used one again ends the session (someone holds a copy). POST /api/v1/accounts/sign-out ends the "
    "session. Registration refuses the access tokens of an ended session at once; the other services verify "
    "tokens offline and accept them until they expire (`expires_in`).")


TOKEN_FORM = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["username", "password"],
    "properties": {"grant_type": {"type": "string", "enum": ["password"]}, "username": {"type": "string"},
                   "password": {"type": "string", "format": "password"}, "scope": {"type": "string"}}}}}}}
MAX_FORM_BYTES = 8192


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds `limit` (before reading it all)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the body exceeds {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/api/v1/auth/token", response_model=TokenAnswer, tags=["auth"], openapi_extra=TOKEN_FORM,
             summary="OAuth2 password grant: a signed JWT and a refresh token for a verified account",
             description=SESSION_DESIGN,
             responses={400: {"description": "not a password-grant form"}, 401: {"description": "bad credentials "
                        "or unverified email"}, 429: {"description": "too many failures; see Retry-After"}})
async def token(request: Request, registration: Registration) -> Any:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "send an application/x-www-form-urlencoded form")
    try:
        form = parse_qs((await read_body(request, MAX_FORM_BYTES)).decode(), strict_parsing=False)
    except UnicodeDecodeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the form is not UTF-8") from error
    grant_type = form.get("grant_type", ["password"])[0]
    username, password = form.get("username", [""])[0], form.get("password", [""])[0]
    if grant_type != "password":
        return JSONResponse({"detail": "unsupported grant type", "error": "unsupported_grant_type"}, 400)
    if not username or not password or len(username) > 320 or len(password) > 256:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "incorrect email or password, or email not verified",
                            headers={"WWW-Authenticate": "Bearer"})
    client = request.client.host if request.client else "unknown"
    try:
        issued = await account_cases.issue_token(registration, username, password, client)
    except account_cases.TooManyAttempts as error:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many failed sign-ins; try again later",
                            headers={"Retry-After": str(error.retry_after)}) from error
    except account_cases.BadCredentials as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "incorrect email or password, or email not verified",
                            headers={"WWW-Authenticate": "Bearer"}) from error
    return token_answer(issued)


def token_answer(issued: IssuedSession) -> JSONResponse:
    """Tokens are never cached by anything on the way (RFC 6749 §5.1)."""
    return JSONResponse(TokenAnswer(access_token=issued.access_token, expires_in=issued.expires_in,
                                    refresh_token=issued.refresh_token,
                                    refresh_expires_in=issued.refresh_expires_in).model_dump(),
                        headers={"Cache-Control": "no-store"})


@router.get("/.well-known/jwks.json", tags=["auth"], summary="Public keys verifying the tokens (rotation: several)")
async def jwks(registration: Registration, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return await registration.keys.jwks()


# --- The person --------------------------------------------------------------------------------------------------


@router.get("/api/v1/me", tags=["accounts"], summary="The account, its roles, its structure and status",
            responses=UNAUTHENTICATED)
async def get_me(principal: CurrentPrincipal, registration: Registration) -> dict[str, Any]:
    found = await lifecycle.me(registration, account_id_of(principal))
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this account no longer exists")
    return found


@router.get("/api/v1/me/export", tags=["gdpr"], summary="Every personal data held about the caller",
            responses=UNAUTHENTICATED)
async def export_me(principal: CurrentPrincipal, registration: Registration) -> dict[str, Any]:
    found = await lifecycle.export(registration, account_id_of(principal))
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this account no longer exists")
    return found


@router.delete("/api/v1/me", status_code=202, response_model=Detail, tags=["gdpr"],
               summary="Delete the account and everything about the person, in every service",
               responses=UNAUTHENTICATED)
async def delete_me(principal: CurrentPrincipal, registration: Registration) -> Detail:
    if not await leaving.delete_own(registration, account_id_of(principal)):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this account no longer exists")
    return Detail(detail="account deleted; every service purges what it holds")


@router.patch("/api/v1/profile", status_code=202, tags=["programme"],
               summary="Update the public profile of an accepted structure; republished at once",
               responses={**REFERENT_ONLY, 409: {"description": "no structure in the programme, or suspended"},
                          422: {"description": "a field that cannot change here, wrong types, or `problems`"}})
async def patch_profile(body: ProfilePatch, account_id: ReferentId, registration: Registration) -> Any:
    frozen = set(body.structure) - PROFILE_FIELDS
    if frozen:  # identity (name, SIRET, type…) changes go through the DGE, not a profile edit
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"these fields cannot be changed here: {', '.join(sorted(frozen))}")
    try:
        profile = await profile_cases.update_profile(registration, account_id, body.model_dump(exclude_unset=True))
    except pydantic.ValidationError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            jsonable_encoder(error.errors(include_url=False, include_context=False))) from error
    except (lifecycle.NotInProgramme, profile_cases.Suspended) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except dossier_cases.ForeignDocument as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    except dossier_cases.Incomplete as error:
        return JSONResponse({"detail": "the profile would break a rule",
                             "problems": [p.as_dict() for p in error.problems]}, status_code=422)
    return {"detail": "profile updated and republished", "profile": profile.model_dump(mode="json",
                                                                                       exclude={"routing"})}


class WithdrawalBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    scope: Literal["member", "structure"]


@router.post("/api/v1/withdrawal", status_code=202, response_model=Detail, tags=["programme"],
             summary="Leave the programme: the structure (referent, scope structure) goes offline at once; "
                     "a member (scope member) leaves it and their account is deleted",
             responses={**ACTIVATOR_ONLY, 403: {"description": "a member asking to withdraw the structure"},
                        409: {"description": "no structure in the programme, or the referent asking scope member"}})
async def withdrawal(body: WithdrawalBody, principal: ActivatorPrincipal, registration: Registration) -> Detail:
    account_id = account_id_of(principal)
    member = await member_cases.is_member(registration, account_id)
    if body.scope == "member":
        if not member:
            raise HTTPException(status.HTTP_409_CONFLICT, "you are the referent: withdraw the structure "
                                "(scope: structure); scope member is for the structure's members")
        try:
            await leaving.withdraw_member(registration, account_id)
        except member_cases.NotAMember as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
        return Detail(detail="you have left the structure; your account is deleted")
    if member:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the structure's referent can withdraw the structure")
    try:
        await lifecycle.withdraw_structure(registration, account_id, body.reason)
    except lifecycle.NotInProgramme as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    return Detail(detail="the structure has left the programme")


# --- Charter -----------------------------------------------------------------------------------------------------


@router.get("/api/v1/charter", tags=["charter"], summary="The current charter version")
async def charter(registration: Registration) -> dict[str, Any]:
    async with registration.db.sessions() as session:
        row = await dossier_cases.current_charter(session)
    return {"version": row.version, "text": row.text, "published_at": row.published_at,
            "acceptance_deadline": row.acceptance_deadline}


# --- Dossier -----------------------------------------------------------------------------------------------------

DOSSIER_ERRORS = {**REFERENT_ONLY, 409: {"description": "the dossier is with the DGE or decided"},
                  422: {"description": "wrong types, unknown codes, or someone else's document"}}


@router.get("/api/v1/dossier", tags=["dossier"], summary="The draft, its status and what still blocks submission",
            responses=REFERENT_ONLY)
async def get_dossier(account_id: ReferentId, registration: Registration) -> dict[str, Any]:
    return (await dossier_cases.get_dossier(registration, account_id)).as_dict()


@router.put("/api/v1/dossier", tags=["dossier"], summary="Save the draft; answers the problems still open",
            responses=DOSSIER_ERRORS)
async def put_dossier(body: DossierDraft, account_id: ReferentId, registration: Registration) -> Any:
    try:
        view = await dossier_cases.save_draft(registration, account_id, body)
    except dossier_cases.ForeignDocument as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    except dossier_cases.NotEditable as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    return view.as_dict()


UPLOAD_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "kind"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "kind": {"type": "string", "enum": [kind.value for kind in DocumentKind]}}}}}}}


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str | None]]:
    """name -> (content, filename) of a multipart/form-data body (the standard library's MIME parser)."""
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "send multipart/form-data with the fields `file` and `kind`")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not message.is_multipart():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "malformed multipart body")
    fields: dict[str, tuple[bytes, str | None]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in fields:
            fields[name] = (part.get_payload(decode=True) or b"", part.get_filename())
    return fields


@router.post("/api/v1/dossier/documents", status_code=201, tags=["dossier"], openapi_extra=UPLOAD_FORM,
             summary="Upload a document (PDF, PNG or JPEG, by content)",
             responses={**REFERENT_ONLY, 400: {"description": "not a multipart form"},
                        413: {"description": "file too large"}, 415: {"description": "not PDF, PNG or JPEG"},
                        422: {"description": "missing file or unknown kind"}})
async def upload(request: Request, account_id: ReferentId, registration: Registration) -> dict[str, Any]:
    limit = registration.settings.max_document_bytes
    body = await read_body(request, limit + 64 * 1024)  # the file plus the form's own bytes
    fields = parse_multipart(request.headers.get("content-type", ""), body)
    if "file" not in fields or "kind" not in fields:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the form needs the fields `file` and `kind`")
    content, filename = fields["file"]
    if len(content) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"files are limited to {limit} bytes")
    try:
        kind = DocumentKind(fields["kind"][0].decode(errors="replace").strip())
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown document kind; one of: "
                            + ", ".join(k.value for k in DocumentKind)) from error
    if not content:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is empty")
    try:
        document = await dossier_cases.add_document(registration, account_id, kind=kind,
                                                    content=content, filename=filename)
    except dossier_cases.UnsupportedFile as error:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(error)) from error
    return document


@router.get("/api/v1/dossier/documents", tags=["dossier"], summary="The caller's documents (no content)",
            responses=ACTIVATOR_ONLY)
async def documents(principal: ActivatorPrincipal, registration: Registration) -> list[dict[str, Any]]:
    return await dossier_cases.list_documents(registration, account_id_of(principal))


@router.get("/api/v1/dossier/documents/{document_id}", tags=["dossier"],
            summary="A document's content: its owner, DGE roles, or a DREETS agent of the dossier's region",
            responses={**UNAUTHENTICATED, 404: {"description": "no such document of yours (or of your region)"}})
async def document(document_id: uuid.UUID, principal: CurrentPrincipal, registration: Registration) -> Response:
    if principal.has_any(Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT):
        # The back-office reads documents through validation, with the agent's own token.
        row = await dossier_cases.read_document(registration, document_id, owner=None,
                                                region=region_scope(principal))
    elif principal.has_any(Role.ACTIVATOR):
        row = await dossier_cases.read_document(registration, document_id, owner=account_id_of(principal))
    else:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "documents are read by their owner and the back-office only")
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such document")
    return Response(row.content, media_type=row.content_type, headers={
        "X-Content-SHA256": row.sha256, "Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"})


class SubmissionBody(BaseModel):
    charter_version: StrictInt = Field(ge=1)
    accept_charter: StrictBool


@router.post("/api/v1/dossier/submission", status_code=202, tags=["dossier"],
             summary="Accept the current charter and submit: freezes a revision, sends it to validation",
             responses={**DOSSIER_ERRORS, 409: {"description": "stale charter version, or dossier not editable"},
                        422: {"description": "charter not accepted, or `problems` still open"}})
async def submission(body: SubmissionBody, account_id: ReferentId, registration: Registration) -> Any:
    if not body.accept_charter:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the charter must be accepted (accept_charter: true)")
    try:
        dossier_id, revision = await dossier_cases.submit(registration, account_id, body.charter_version)
    except dossier_cases.StaleCharter as error:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"charter version {body.charter_version} is not the current one ({error.current})") from error
    except dossier_cases.NotEditable as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except dossier_cases.Incomplete as error:
        return JSONResponse({"detail": "the dossier is incomplete",
                             "problems": [p.as_dict() for p in error.problems]}, status_code=422)
    return {"dossier_id": str(dossier_id), "revision": revision, "status": "submitted"}
