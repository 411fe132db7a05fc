"""HTTP API of the notifier: the outgoing mail log for DGE roles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from activateurs.shared.auth import DgePrincipal

from ..adapters import repository
from ..domain.delivery import DeliveryStatus

router = APIRouter(prefix="/api/v1", tags=["deliveries"])
# PostgreSQL text cannot hold a NUL character: refused with a 422 instead of failing in the database.
NO_NUL = r"^[^\x00]*$"


class Problem(BaseModel):
    """Every error answer: a sentence, or, for malformed input (422), the list of what is wrong where."""

    detail: str | list[dict[str, Any]]


class Delivery(BaseModel):
    id: UUID
    idempotency_key: str
    template: str
    recipient: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    message_id: str
    requested_by: str
    created_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    next_attempt_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[Delivery]
    total: int
    page: int
    page_size: int


@router.get("/deliveries", response_model=DeliveryPage, summary="The outgoing mail log (DGE roles)",
            responses={401: {"model": Problem, "description": "no or invalid token"},
                       403: {"model": Problem, "description": "not a DGE role"},
                       422: {"model": Problem, "description": "a malformed query parameter (`detail` says which)"}})
async def list_deliveries(
    request: Request,
    _: DgePrincipal,
    recipient: Annotated[str | None, Query(max_length=320, pattern=NO_NUL,
                                           description="exact address, case-insensitive")] = None,
    status: DeliveryStatus | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    db = request.app.state.service.database
    async with db.sessions() as session:
        rows, total = await repository.list_deliveries(
            session, recipient=recipient, status=status, limit=page_size, offset=(page - 1) * page_size)
    return DeliveryPage(items=[Delivery(**row) for row in rows], total=total, page=page, page_size=page_size)
