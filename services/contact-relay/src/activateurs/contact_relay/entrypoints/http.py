"""HTTP routes of contact-relay: public intake, acknowledgement, redirection, the activator's inbox, the SLA report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID, uuid4

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from activateurs.shared.auth import Principal, current_principal, region_scope, require_roles
from activateurs.shared.contracts.vocabulary import Domain, Role
from activateurs.shared.db import Database
from activateurs.shared.iso_dates import IsoDate

from ..domain.requests import PHONE, POSTAL_CODE, SIRET, has_line_break
from ..service import acknowledgement, intake, redirection, sla
from ..service import inbox as inboxes
from ..service.links import Links

MAX_BODY_BYTES = 32 * 1024
STATUSES = "^(forwarded|acknowledged|overdue|redirected)$"

router = APIRouter(prefix="/api/v1", tags=["contact requests"])


class ContactRequestIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    activator_slug: str = Field(min_length=1, max_length=200)
    company_name: str = Field(min_length=1, max_length=200)
    siret: str | None = Field(default=None, max_length=20)
    contact_name: str = Field(min_length=1, max_length=120)
    email: EmailStr = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    postal_code: str = Field(min_length=5, max_length=5)
    domains: list[Domain] = Field(min_length=1, max_length=len(Domain))
    message: str = Field(min_length=10, max_length=5000)
    subject: str | None = Field(default=None, max_length=200, description="Optional subject line.")
    # The honeypot: hidden from people by the form, filled by naive bots. Anything in it = not a person.
    website: str | None = Field(default=None, description="Leave empty (anti-spam field).")

    @field_validator("company_name", "contact_name", "subject", "activator_slug")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and has_line_break(value):
            raise ValueError("line breaks are not allowed in this field")
        return value

    @field_validator("siret")
    @classmethod
    def _siret(cls, value: str | None) -> str | None:
        if value:
            value = value.replace(" ", "")
            if not SIRET.match(value):
                raise ValueError("a SIRET is 14 digits")
        return value or None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not PHONE.match(value):
            raise ValueError("not a phone number")
        return value or None

    @field_validator("postal_code")
    @classmethod
    def _postal_code(cls, value: str) -> str:
        if not POSTAL_CODE.match(value):
            raise ValueError("not a French postal code")
        return value

    @field_validator("domains")
    @classmethod
    def _unique(cls, value: list[Domain]) -> list[Domain]:
        return list(dict.fromkeys(value))


class Accepted(BaseModel):
    id: UUID


class AcknowledgementOut(BaseModel):
    id: UUID
    status: str
    acknowledged_at: datetime


class InboxItem(BaseModel):
    id: UUID
    status: str
    received_at: datetime
    ack_deadline: datetime
    acknowledged_at: datetime | None
    company_name: str
    contact_name: str
    postal_code: str
    domains: list[str]
    message: str
    previous_id: UUID | None = Field(None, description="The request this one was redirected from, if any.")
    redirected_to: UUID | None = Field(None, description="The request this one was redirected to, if any.")


class InboxDetail(InboxItem):
    """One request as its structure's activators read it: the business's contact details and the redirect note."""

    siret: str | None
    email: str
    phone: str | None
    redirect_note: str | None = Field(None, description="The note of the activator who redirected it here, if any.")


class Inbox(BaseModel):
    items: list[InboxItem]
    total: int
    page: int
    page_size: int


def _db(request: Request) -> Database:
    return request.app.state.service.database


def _links(request: Request) -> Links:
    return request.app.state.links


Db = Annotated[Database, Depends(_db)]
AppLinks = Annotated[Links, Depends(_links)]
Activator = Annotated[Principal, require_roles(Role.ACTIVATOR)]


async def _activator_structure(principal: Activator) -> UUID:
    """The structure of the calling activator; 403 before they have one (an applicant)."""
    if principal.structure_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your account has no structure yet")
    return principal.structure_id


ActivatorStructure = Annotated[UUID, Depends(_activator_structure)]


async def _small_body(request: Request) -> None:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"at most {MAX_BODY_BYTES} bytes")


def _busy() -> HTTPException:
    # Every database connection busy for too long: overloaded, nothing stored.
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "busy, try again shortly", headers={"Retry-After": "5"})


@router.post("/contact-requests", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             dependencies=[Depends(_small_body)],
             responses={404: {"description": "unknown or offline structure"}, 413: {}, 429: {}})
async def create_contact_request(body: ContactRequestIn, request: Request) -> Response:
    """A business writes to a published structure; answered at once, the emails follow."""
    try:
        refused = await request.app.state.rate_limits.check(request.client.host if request.client else "unknown",
                                                            str(body.email))
    except sa.exc.TimeoutError:
        raise _busy() from None
    if refused:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, f"too many contact requests from this {refused.what}",
                            headers={"Retry-After": str(refused.retry_after)})
    if body.website:
        # A bot: answer like a success so it learns nothing, store and send nothing.
        return _accepted(uuid4())
    message = f"Objet : {body.subject}\n\n{body.message}" if body.subject else body.message
    try:
        request_id = await request.app.state.intake.submit(intake.ContactRequest(
            activator_slug=body.activator_slug, company_name=body.company_name, contact_name=body.contact_name,
            email=str(body.email), postal_code=body.postal_code, domains=body.domains, message=message,
            siret=body.siret, phone=body.phone))
    except intake.UnknownStructure:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no published activator with this slug") from None
    except sa.exc.TimeoutError:
        raise _busy() from None
    return _accepted(request_id)


def _accepted(request_id: UUID) -> Response:
    # Written directly: the hot path skips FastAPI's response-model validation of a one-field answer.
    return Response(f'{{"id":"{request_id}"}}', status.HTTP_202_ACCEPTED, media_type="application/json")


_bearer = HTTPBearer(auto_error=False)


async def _optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The link's token suffices: a bearer token is only checked when one is sent."""
    return None if credentials is None else await current_principal(request, credentials)


@router.get("/contact-requests/{request_id}", response_model=acknowledgement.LinkedRequest,
            responses={403: {"description": "forged or expired link, or a link made for another request"},
                       404: {"description": "no such request (or its data was erased)"}})
async def read_by_link(request_id: UUID, db: Db, links: AppLinks,
                       token: Annotated[str, Query(min_length=1, max_length=200)]) -> acknowledgement.LinkedRequest:
    """The request behind the acknowledgement link of the forwarded mail (its landing page shows it)."""
    try:
        return await acknowledgement.read_by_link(db, links, request_id, token)
    except acknowledgement.RequestNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such contact request") from None
    except acknowledgement.NotYours as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None


@router.post("/contact-requests/{request_id}/acknowledgement", response_model=AcknowledgementOut,
             responses={401: {}, 403: {}, 404: {}, 409: {}})
async def acknowledge(request_id: UUID, db: Db, links: AppLinks,
                      principal: Annotated[Principal | None, Depends(_optional_principal)],
                      token: Annotated[str | None, Query(max_length=200)] = None) -> AcknowledgementOut:
    """Acknowledge a request: with the email link's `?token=`, or as an activator of the structure holding it."""
    if token:
        proof: acknowledgement.ByLink | acknowledgement.ByStructure = acknowledgement.ByLink(token)
    elif principal is not None:
        if not principal.has_any(Role.ACTIVATOR) or principal.structure_id is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "only an activator of the structure can acknowledge")
        proof = acknowledgement.ByStructure(principal.structure_id)
    else:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a token from the email link or a bearer token is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        done = await acknowledgement.acknowledge(db, links, request_id, proof)
    except acknowledgement.RequestNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such contact request") from None
    except acknowledgement.NotYours as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except acknowledgement.NotAcknowledgeable as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return AcknowledgementOut(id=done.request_id, status=done.status, acknowledged_at=done.acknowledged_at)


class RedirectionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    activator_slug: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class Redirected(BaseModel):
    id: UUID
    status: str
    redirected_to: UUID


@router.post("/contact-requests/{request_id}/redirection", status_code=status.HTTP_202_ACCEPTED,
             response_model=Redirected, responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}})
async def redirect(request_id: UUID, body: RedirectionIn, structure_id: ActivatorStructure, db: Db,
                   links: AppLinks) -> Redirected:
    """Hand the request to another published structure, with a note; its own 48 working hours start now."""
    try:
        new_id = await redirection.redirect(db, links, request_id, structure_id, body.activator_slug,
                                            body.note)
    except acknowledgement.RequestNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such contact request") from None
    except acknowledgement.NotYours as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except intake.UnknownStructure:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no published activator with this slug") from None
    except (acknowledgement.NotAcknowledgeable, redirection.SameStructure) as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return Redirected(id=request_id, status="redirected", redirected_to=new_id)


@router.get("/me/contact-requests", response_model=Inbox)
async def inbox(structure_id: ActivatorStructure, db: Db, page: Annotated[int, Query(ge=1, le=10_000)] = 1,
                page_size: Annotated[int, Query(ge=1, le=100)] = 20,
                status_filter: Annotated[str | None, Query(alias="status", pattern=STATUSES)] = None) -> Inbox:
    """The activator's structure's requests, newest first, with deadlines and states."""
    return Inbox(**await inboxes.inbox_page(db, structure_id, status_filter, page, page_size))


@router.get("/me/contact-requests/{request_id}", response_model=InboxDetail, responses={403: {}, 404: {}})
async def inbox_item(request_id: UUID, structure_id: ActivatorStructure, db: Db) -> InboxDetail:
    """One request of the activator's structure, with the business's contact details (404 for another's)."""
    try:
        return InboxDetail(**await inboxes.inbox_request(db, structure_id, request_id))
    except inboxes.NotInInbox as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None


class SlaLine(BaseModel):
    structure_id: UUID
    name: str | None
    slug: str | None
    department: str | None
    region: str | None
    received: int
    acknowledged_in_time: int
    acknowledged_late: int
    overdue: int
    redirected: int
    median_ack_seconds: float | None


class SlaReport(BaseModel):
    from_: date = Field(alias="from")
    to: date
    structures: list[SlaLine]

    model_config = ConfigDict(populate_by_name=True)


Reader = Annotated[Principal, require_roles(Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT)]


@router.get("/sla-report", response_model=SlaReport, response_model_by_alias=True,
            responses={401: {}, 403: {}, 422: {}})
async def sla_report(principal: Reader, db: Db, from_: Annotated[IsoDate | None, Query(alias="from")] = None,
                     to: Annotated[IsoDate | None, Query()] = None) -> SlaReport:
    """Per structure, requests received between `from` and `to` (inclusive days, UTC; by default the last 30):
    acknowledged in time, late, overdue, redirected, median time to acknowledge. A DREETS agent sees its own region
    only."""
    try:
        first, last, lines = await sla.report(db, from_, to, region_scope(principal))
    except sla.InvalidPeriod as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return SlaReport(from_=first, to=last, structures=[SlaLine(**line) for line in lines])
