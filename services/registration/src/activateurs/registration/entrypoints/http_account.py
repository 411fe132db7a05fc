"""HTTP API of the account section: forgotten password, password and email changes, session refresh and sign-out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, EmailStr, Field

from activateurs.shared.auth import CurrentPrincipal, InvalidToken

from ..service import accounts as account_cases
from ..service import credentials
from ..service import sessions as session_cases
from .http import (
    ACCEPTED,
    BAD_BODY,
    SESSION_DESIGN,
    UNAUTHENTICATED,
    Detail,
    Registration,
    TokenAnswer,
    account_id_of,
    token_answer,
)

router = APIRouter(responses=BAD_BODY)

Password = Annotated[str, Field(min_length=12, max_length=256, description="12 characters at least.")]
Token = Annotated[str, Field(min_length=1, max_length=4096)]
THROTTLED = {429: {"description": "too many attempts; see Retry-After"}}
WRONG_PASSWORD = {403: {"description": "the current password is incorrect"}}


def _too_many(error: account_cases.TooManyAttempts, what: str) -> HTTPException:
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, f"too many {what}; try again later",
                         headers={"Retry-After": str(error.retry_after)})


# --- Forgotten password ---------------------------------------------------------------------------------------------


class PasswordResetRequest(BaseModel):
    email: EmailStr = Field(max_length=320)


@router.post("/api/v1/accounts/password-reset", status_code=202, response_model=Detail, tags=["accounts"],
             summary="Email a link to choose a new password (same answer whatever the address)",
             description="An account's address gets `password_reset` with `{PUBLIC_BASE_URL}/mot-de-passe/nouveau"
                         "?token=T`, valid `REGISTRATION_PASSWORD_RESET_MINUTES` (60) and usable once; any other "
                         "address gets nothing. At most a few mails an hour reach one address.",
             responses=THROTTLED)
async def password_reset(body: PasswordResetRequest, request: Request, registration: Registration) -> Detail:
    client = request.client.host if request.client else "unknown"
    try:
        await credentials.request_password_reset(registration, str(body.email), client)
    except account_cases.TooManyAttempts as error:
        raise _too_many(error, "password reset requests") from error
    return Detail(detail=ACCEPTED)


class PasswordResetConfirmation(BaseModel):
    token: Token
    password: Password


@router.post("/api/v1/accounts/password-reset/confirmation", response_model=Detail, tags=["accounts"],
             summary="Set a new password with the token of the emailed link; every session of the account ends",
             description="The account's owner gets `password_changed`. Every session (access and refresh tokens "
                         "issued before) ends: sign in again with the new password.",
             responses={400: {"description": "the link was already used, has expired, or is not ours"},
                        422: {"description": "the password breaks the rules (12 to 256 characters)"}})
async def password_reset_confirmation(body: PasswordResetConfirmation, registration: Registration) -> Detail:
    try:
        await credentials.reset_password(registration, body.token, body.password)
    except InvalidToken as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"invalid or expired password reset link: {error}") from error
    return Detail(detail="password changed; sign in with the new password")


# --- Changes by the signed-in owner ---------------------------------------------------------------------------------


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: Password


@router.post("/api/v1/me/password", response_model=Detail, tags=["accounts"],
             summary="Change the password (the current one required); the account's other sessions end",
             description="The session making the change stays signed in (its access and refresh tokens keep "
                         "working); every other session of the account ends. The owner gets `password_changed`. "
                         "Wrong current passwords count with the sign-in's failures (429 once too many).",
             responses={**UNAUTHENTICATED, **WRONG_PASSWORD, **THROTTLED,
                        422: {"description": "the new password breaks the rules (12 to 256 characters)"}})
async def change_password(body: PasswordChange, principal: CurrentPrincipal, registration: Registration) -> Detail:
    try:
        await credentials.change_password(registration, account_id_of(principal), body.current_password,
                                          body.new_password, keep_session=getattr(principal, "session_id", None))
    except credentials.WrongPassword as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    except account_cases.TooManyAttempts as error:
        raise _too_many(error, "wrong passwords") from error
    return Detail(detail="password changed; your other sessions are signed out")


class EmailChange(BaseModel):
    new_email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=256)


@router.post("/api/v1/me/email", status_code=202, response_model=Detail, tags=["accounts"],
             summary="Ask to change the account's address: a link is mailed to the new one",
             description="The new address gets `email_change_verification` with `{PUBLIC_BASE_URL}/email/"
                         "confirmation?token=T` (valid `REGISTRATION_EMAIL_CHANGE_HOURS`, 24; a newer request "
                         "replaces it). The account keeps its address until POST /api/v1/accounts/email-change/"
                         "confirmation.",
             responses={**UNAUTHENTICATED, **WRONG_PASSWORD, **THROTTLED,
                        409: {"description": "the address is already this account's or another's"}})
async def change_email(body: EmailChange, principal: CurrentPrincipal, registration: Registration) -> Detail:
    try:
        await credentials.request_email_change(registration, account_id_of(principal), body.password,
                                               str(body.new_email))
    except credentials.WrongPassword as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    except credentials.EmailTaken as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except account_cases.TooManyAttempts as error:
        raise _too_many(error, "attempts or mails to this address") from error
    return Detail(detail="a confirmation link has been sent to the new address")


class EmailChangeConfirmation(BaseModel):
    token: Token


class EmailChanged(BaseModel):
    detail: str
    email: str


@router.post("/api/v1/accounts/email-change/confirmation", response_model=EmailChanged, tags=["accounts"],
             summary="Confirm a new address with the token of the emailed link; it replaces the former one",
             description="No sign-in needed: the link proves the new mailbox, the request proved the password. "
                         "The former address gets `email_changed`; sessions go on.",
             responses={400: {"description": "the link was already used, replaced, has expired, or is not ours"},
                        409: {"description": "another account took the address since the request"}})
async def email_change_confirmation(body: EmailChangeConfirmation, registration: Registration) -> EmailChanged:
    try:
        email = await credentials.confirm_email_change(registration, body.token)
    except InvalidToken as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"invalid or expired confirmation link: {error}") from error
    except credentials.EmailTaken as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    return EmailChanged(detail="email address changed", email=email)


# --- Session --------------------------------------------------------------------------------------------------------


class RefreshBody(BaseModel):
    refresh_token: Token


SESSION_ENDED = {401: {"description": "unknown, expired, signed-out, revoked or reused refresh token"}}


@router.post("/api/v1/accounts/session/refresh", response_model=TokenAnswer, tags=["auth"],
             summary="Exchange a refresh token for a new access token (current claims) and a new refresh token",
             description=SESSION_DESIGN, responses=SESSION_ENDED)
async def refresh(body: RefreshBody, registration: Registration) -> Any:
    try:
        issued = await session_cases.refresh(registration, body.refresh_token)
    except session_cases.SessionEnded as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error),
                            headers={"WWW-Authenticate": "Bearer"}) from error
    return token_answer(issued)


@router.post("/api/v1/accounts/sign-out", response_model=Detail, tags=["auth"],
             summary="End the refresh token's session (idempotent: an unknown or ended one answers the same)",
             description="The refresh token stops working, and registration refuses the session's access tokens at "
                         "once; the other services accept them until they expire (`expires_in`, 15 min by default).")
async def sign_out(body: RefreshBody, registration: Registration) -> Detail:
    await session_cases.sign_out(registration, body.refresh_token)
    return Detail(detail="signed out")
