"""HTTP API of the validation service: the DGE back-office, the regional read-only view, the applicant's thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, HTTPException, Query, Request, Response, status

from activateurs.shared.auth import DgePrincipal, Principal, region_scope, require_roles
from activateurs.shared.contracts.vocabulary import Role, ValidationStatus
from activateurs.shared.geography import REGION_OF_DEPARTMENT

from ..adapters.documents import DocumentGone, DocumentUnavailable, fetch_document
from ..domain.case import Conflict, Sanction, StructureState
from ..domain.prechecks import Outcome
from ..service import audit, decisions, programme, queries, sanctions, statistics, thread
from ..service.common import Context, NotFound
from .schemas import (
    NO_NUL,
    ApplicantThread,
    AuditPage,
    AuditVerification,
    CampaignIn,
    CampaignOut,
    CaseDetail,
    CasePage,
    CharterVersionIn,
    CharterVersionOut,
    DecisionIn,
    DecisionOut,
    IsoInstant,
    MessageIn,
    MessageOut,
    Problem,
    ReasonIn,
    ReplyIn,
    SanctionOut,
    Statistics,
    StructureDetail,
    StructurePage,
)

# Reading cases: the DGE, and a regional directorate (its own region only).
Reader = Annotated[Principal, require_roles(Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT)]
Applicant = Annotated[Principal, require_roles(Role.ACTIVATOR)]
Admin = Annotated[Principal, require_roles(Role.DGE_ADMIN)]
# Who may read what the programme asks of its members: the activators, and the DGE's and DREETS's agents.
Participant = Annotated[Principal, require_roles(Role.ACTIVATOR, Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT)]


def problem(description: str) -> dict[str, Any]:
    """An error answer as documented in the OpenAPI: its meaning and its body (`Problem`)."""
    return {"model": Problem, "description": description}


# Every error names its body, so clients (and the fuzz suite) can rely on `detail` being there.
ERRORS = {401: problem("no or invalid token"), 403: problem("not allowed for this role")}
NOT_FOUND = {404: problem("unknown id (or not visible to this caller)")}
CONFLICT = {409: problem("not possible in the current state")}
INVALID = {422: problem("malformed input (`detail` lists the fields at fault) or a value refused")}
# Routes with a JSON body: a body that cannot be decoded (not UTF-8) is refused before validation.
BODY = {400: problem("the body could not be read (not UTF-8)"), **INVALID}


@contextmanager
def answers() -> Iterator[None]:
    """Domain refusals become clear 4xx answers."""
    try:
        yield
    except NotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except Conflict as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except programme.InvalidRequest as error:
        raise HTTPException(422, str(error)) from error


# INSEE region codes (overseas collectivities stand as their own region, as in the cases' `region`).
REGIONS = frozenset(REGION_OF_DEPARTMENT.values())
RegionParam = Annotated[str | None, Query(
    min_length=2, max_length=3, pattern=r"^[0-9]{2,3}$",
    description="INSEE region code, e.g. 11 or 84 (a DREETS agent: its own region only, the default)")]
# A part of the structure's name, any case.
NameParam = Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                        description="part of the structure's name (case ignored)")]
REGION_REFUSED = {403: problem("not allowed for this role, or another region than the DREETS agent's own")}


def region_asked(principal: Principal, region: str | None) -> str | None:
    """The region a list is limited to (`region_scope`); an unknown code is refused (422) first."""
    if region is not None and region not in REGIONS:
        raise HTTPException(422, f"unknown region code {region!r}")
    return region_scope(principal, region)


def build_router(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.get("/dossiers", response_model=CasePage, tags=["dossiers"],
                responses={**ERRORS, **INVALID, **REGION_REFUSED},
                summary="Cases, oldest waiting first, with their pre-check summary")
    async def list_dossiers(
        principal: Reader,
        status_: Annotated[ValidationStatus | None, Query(alias="status")] = None,
        region: RegionParam = None,
        precheck: Annotated[Outcome | None, Query(description="the pre-checks' overall outcome")] = None,
        q: NameParam = None,
        waiting: Annotated[bool, Query(description="true: only the cases to review or awaiting the applicant")] = False,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> CasePage:
        return CasePage(**await queries.list_cases(
            ctx, status=status_, region=region_asked(principal, region), precheck=precheck,
            text=(q or "").strip() or None, waiting=waiting, page=page, page_size=page_size))

    @router.get("/dossiers/{dossier_id}", response_model=CaseDetail, tags=["dossiers"],
                responses={**ERRORS, **NOT_FOUND, **INVALID},
                summary="One case: current revision, pre-checks, documents, thread, history")
    async def get_dossier(dossier_id: UUID, principal: Reader) -> CaseDetail:
        with answers():
            return CaseDetail(**await queries.case_detail(ctx, dossier_id, region=region_scope(principal)))

    @router.get("/dossiers/{dossier_id}/documents/{document_id}", tags=["dossiers"], response_class=Response,
                responses={**ERRORS, **NOT_FOUND, **INVALID,
                           200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}},
                           502: problem("the document store failed or the file differs from the one submitted")},
                summary="A submitted document, exactly as submitted (checked against its SHA-256)")
    async def get_document(dossier_id: UUID, document_id: UUID, principal: Reader, request: Request) -> Response:
        with answers():
            ref = await queries.document_ref(ctx, dossier_id, document_id, region=region_scope(principal))
        try:
            document = await fetch_document(ctx.document_url, document_id, ref["sha256"],
                                            authorization=request.headers["authorization"])
        except DocumentGone as error:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
        except DocumentUnavailable as error:
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, str(error)) from error
        return Response(document.content, media_type=document.content_type,
                        headers={"Content-Disposition": f'attachment; filename="{document_id}"',
                                 "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    @router.post("/dossiers/{dossier_id}/messages", response_model=MessageOut, status_code=201, tags=["thread"],
                 responses={**ERRORS, **NOT_FOUND, **CONFLICT, **BODY},
                 summary="A DGE message; with requests_information the case awaits the applicant (3 months)")
    async def post_message(dossier_id: UUID, body: MessageIn, principal: DgePrincipal) -> MessageOut:
        with answers():
            return MessageOut(**await thread.post_dge_message(ctx, principal, dossier_id, body.body,
                                                              body.requests_information))

    @router.get("/my-dossier/messages", response_model=ApplicantThread, tags=["thread"],
                responses={**ERRORS, **NOT_FOUND}, summary="The applicant's thread with the DGE")
    async def my_thread(principal: Applicant) -> ApplicantThread:
        with answers():
            return ApplicantThread(**await thread.applicant_thread(ctx, principal))

    @router.post("/my-dossier/messages", response_model=MessageOut, status_code=201, tags=["thread"],
                 responses={**ERRORS, **NOT_FOUND, **CONFLICT, **BODY},
                 summary="The applicant's reply; it brings the case back to review")
    async def reply(body: ReplyIn, principal: Applicant) -> MessageOut:
        with answers():
            return MessageOut(**await thread.post_applicant_reply(ctx, principal, body.body))

    @router.post("/dossiers/{dossier_id}/decision", response_model=DecisionOut, tags=["dossiers"],
                 responses={**ERRORS, **NOT_FOUND, **CONFLICT, **BODY}, summary="Accept or refuse (once)")
    async def decide(dossier_id: UUID, body: DecisionIn, principal: DgePrincipal) -> DecisionOut:
        with answers():
            return DecisionOut(**await decisions.decide(ctx, principal, dossier_id, body.decision, body.reason))

    @router.get("/structures", response_model=StructurePage, tags=["structures"],
                responses={**ERRORS, **INVALID, **REGION_REFUSED},
                summary="The accepted structures and their standing, by name")
    async def list_structures(
        principal: Reader,
        q: NameParam = None,
        status_: Annotated[StructureState | None, Query(alias="status", description="the structure's state")] = None,
        region: RegionParam = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> StructurePage:
        return StructurePage(**await queries.list_structures(
            ctx, text=(q or "").strip() or None, state=status_, region=region_asked(principal, region), page=page,
            page_size=page_size))

    @router.get("/structures/{structure_id}", response_model=StructureDetail, tags=["structures"],
                responses={**ERRORS, **NOT_FOUND, **INVALID},
                summary="One accepted structure and its history: decision, information requests, sanctions, "
                        "renewals, withdrawal")
    async def get_structure(structure_id: UUID, principal: Reader) -> StructureDetail:
        with answers():
            return StructureDetail(**await queries.structure_detail(ctx, structure_id,
                                                                    region=region_scope(principal)))

    async def _sanction(structure_id: UUID, kind: Sanction, reason: str, principal: Principal) -> SanctionOut:
        with answers():
            return SanctionOut(**await sanctions.sanction(ctx, principal, structure_id, kind, reason))

    @router.post("/structures/{structure_id}/suspension", response_model=SanctionOut, tags=["sanctions"],
                 responses={**ERRORS, **NOT_FOUND, **CONFLICT, **BODY}, summary="Suspend until further notice")
    async def suspend(structure_id: UUID, body: ReasonIn, principal: DgePrincipal) -> SanctionOut:
        return await _sanction(structure_id, Sanction.SUSPEND, body.reason, principal)

    @router.delete("/structures/{structure_id}/suspension", response_model=SanctionOut, tags=["sanctions"],
                   responses={**ERRORS, **NOT_FOUND, **CONFLICT, **BODY},
                   summary="Reinstate (the reason in the JSON body, or as `?reason=`)")
    async def reinstate(
        structure_id: UUID, principal: DgePrincipal,
        body: Annotated[ReasonIn | None, Body()] = None,
        reason: Annotated[str | None, Query(min_length=1, max_length=5000, pattern=NO_NUL)] = None,
    ) -> SanctionOut:
        given = body.reason if body is not None else (reason or "").strip()
        if not given:
            raise HTTPException(422, "a reinstatement needs a reason")
        return await _sanction(structure_id, Sanction.REINSTATE, given, principal)

    @router.post("/structures/{structure_id}/strike-off", response_model=SanctionOut, tags=["sanctions"],
                 responses={**ERRORS, **NOT_FOUND, **CONFLICT, **BODY}, summary="Strike off for good")
    async def strike_off(structure_id: UUID, body: ReasonIn, principal: DgePrincipal) -> SanctionOut:
        return await _sanction(structure_id, Sanction.STRIKE_OFF, body.reason, principal)

    @router.get("/audit-log", response_model=AuditPage, tags=["audit"], responses={**ERRORS, **INVALID},
                summary="Append-only records, each chained to the previous one by hash")
    async def audit_log(
        _: DgePrincipal,
        subject_id: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> AuditPage:
        items = await audit.audit_records(ctx.db, subject_id=subject_id, page=page, page_size=page_size)
        return AuditPage(items=items, page=page, page_size=page_size)

    @router.get("/audit-log/verification", response_model=AuditVerification, tags=["audit"], responses=ERRORS,
                summary="Recompute the audit chain from its first record: intact, or where it was altered")
    async def verify_audit_log(_: DgePrincipal) -> AuditVerification:
        return AuditVerification(**await audit.verification(ctx.db))

    @router.post("/charter-versions", response_model=CharterVersionOut, status_code=201, tags=["programme"],
                 responses={**ERRORS, **BODY},
                 summary="Publish a new charter version with its acceptance deadline (DGE admin)")
    async def publish_charter(body: CharterVersionIn, principal: Admin) -> CharterVersionOut:
        with answers():
            return CharterVersionOut(**await programme.publish_charter(ctx, principal, body.text,
                                                                       body.acceptance_deadline))

    @router.post("/questionnaire-campaigns", response_model=CampaignOut, status_code=201, tags=["programme"],
                 responses={**ERRORS, **CONFLICT, **BODY},
                 summary="Launch the year's satisfaction questionnaire (DGE admin)")
    async def launch_questionnaire(body: CampaignIn, principal: Admin) -> CampaignOut:
        with answers():
            return CampaignOut(**await programme.launch_questionnaire(ctx, principal, body.year, body.url))

    @router.get("/questionnaire-campaigns/current", response_model=CampaignOut, tags=["programme"],
                responses={**ERRORS, 404: problem("no campaign runs (none launched in the last year)")},
                summary="The annual questionnaire that runs now, for the activators asked to answer it")
    async def running_questionnaire(principal: Participant) -> CampaignOut:
        found = await programme.running_questionnaire(ctx)
        if found is None:
            raise HTTPException(404, "no questionnaire campaign runs now")
        return CampaignOut(**found)

    @router.get("/statistics", response_model=Statistics, tags=["statistics"], responses={**ERRORS, **INVALID},
                summary="Queue, decisions per month, median instruction time, overdue acknowledgements")
    async def get_statistics(
        principal: Reader,
        from_: Annotated[IsoInstant | None, Query(alias="from", description="default: a year before `to`")] = None,
        to: Annotated[IsoInstant | None, Query(description="default: now")] = None,
    ) -> Statistics:
        until = _aware(to) if to else ctx.db.clock.now()
        since = _aware(from_) if from_ else until - timedelta(days=365)
        if since >= until:
            raise HTTPException(422, "`from` must be before `to`")
        return Statistics(**await statistics.statistics(ctx, since=since, until=until,
                                                        region=region_scope(principal)))

    return router


def _aware(instant: datetime | date) -> datetime:
    """A date-time without a zone is read as UTC; a date is its midnight, UTC."""
    if not isinstance(instant, datetime):
        return datetime.combine(instant, time(), UTC)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
