"""Partner API (A7): keys issued and revoked by a DGE admin; the incremental feed for key holders."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, Field

from activateurs.shared.auth import Principal, require_roles
from activateurs.shared.contracts.vocabulary import Role

from ..domain.partners import InvalidCursor, check_expiry, decode_cursor, encode_cursor
from ..service import partners

router = APIRouter(prefix="/api/v1", tags=["partners"])
AdminPrincipal = Annotated[Principal, require_roles(Role.DGE_ADMIN)]
FEED_PARAMETERS = frozenset({"since", "cursor"})
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NewKey(BaseModel):
    organisation: str = Field(min_length=1, max_length=200)
    expires_at: AwareDatetime


class IssuedKey(BaseModel):
    id: UUID
    organisation: str
    expires_at: datetime
    key: str = Field(description="shown this once; only its hash is kept")


@router.post("/partner-keys", status_code=201, response_model=IssuedKey, summary="Issue a partner key (DGE admin)",
             responses={401: {"description": "no token"}, 403: {"description": "not a DGE admin"},
                        422: {"description": "bad organisation or expiry"}})
async def create_key(body: NewKey, principal: AdminPrincipal, request: Request) -> IssuedKey:
    db = request.app.state.service.database
    problem = check_expiry(body.expires_at, db.clock.now())
    if problem:
        raise HTTPException(422, problem)
    issued = await partners.issue_key(db, body.organisation, body.expires_at, principal.subject)
    return IssuedKey(id=issued.id, organisation=issued.organisation, expires_at=issued.expires_at, key=issued.key)


class KeyRecord(BaseModel):
    id: UUID
    organisation: str
    created_at: datetime
    created_by: str = Field(description="the token subject of the DGE admin who issued it")
    expires_at: datetime
    revoked_at: datetime | None


class KeyList(BaseModel):
    items: list[KeyRecord]


@router.get("/partner-keys", response_model=KeyList, summary="The partner keys issued, newest first (DGE admin)",
            description="Each key's organisation, issue, expiry and revocation; never the key nor its hash.",
            responses={401: {"description": "no token"}, 403: {"description": "not a DGE admin"}})
async def list_keys(_: AdminPrincipal, request: Request) -> KeyList:
    return KeyList(items=[KeyRecord(**key) for key in await partners.list_keys(request.app.state.service.database)])


@router.delete("/partner-keys/{key_id}", status_code=204, summary="Revoke a partner key (DGE admin)",
               responses={404: {"description": "no such key"}})
async def delete_key(key_id: UUID, _: AdminPrincipal, request: Request) -> Response:
    if not await partners.revoke_key(request.app.state.service.database, key_id):
        raise HTTPException(404, "no such key")
    return Response(status_code=204)


async def partner_key(request: Request, x_api_key: Annotated[str | None, Header(max_length=200)] = None) -> dict[str, Any]:
    """The caller's key: 401 if missing, unknown, revoked or expired; 429 past its rate; every call logged."""
    service = request.app.state.service
    db = service.database
    if not x_api_key:
        raise HTTPException(401, "an X-API-Key header is required")
    key = await partners.find_key(db, x_api_key)
    if key is None:
        raise HTTPException(401, "unknown API key")
    if key["revoked_at"] is not None:
        await partners.log_call(db, key["id"], request.url.path, "revoked")
        raise HTTPException(401, "this API key was revoked")
    if key["expires_at"] <= db.clock.now():
        await partners.log_call(db, key["id"], request.url.path, "expired")
        raise HTTPException(401, "this API key has expired")
    wait = await partners.admit_call(db, key["id"], request.url.path, service.settings.partner_rate_per_minute)
    if wait is not None:
        raise HTTPException(429, "too many calls for this key", headers={"Retry-After": str(int(wait) + 1)})
    return key


@router.get("/partner/activators", summary="Changes to published profiles since a cursor, tombstones included",
            responses={200: {"description": "`{items, next_cursor, has_more}`; replaying from the start "
                                            "reproduces exactly the set of online profiles"},
                       400: {"description": "unknown parameter or malformed cursor"},
                       401: {"description": "missing, unknown, revoked or expired key"},
                       429: {"description": "rate-limited"}})
async def partner_feed(
    request: Request,
    _: Annotated[dict[str, Any], Depends(partner_key)],
    since: Annotated[AwareDatetime | None, Query(description="changes from this instant (without cursor)")] = None,
    cursor: Annotated[str | None, Query(max_length=100, description="next_cursor of the previous page")] = None,
) -> Response:
    unknown = sorted(set(request.query_params) - FEED_PARAMETERS)
    if unknown:
        raise HTTPException(400, f"unknown parameter(s): {', '.join(unknown)}; allowed: since, cursor")
    service = request.app.state.service
    try:
        after = decode_cursor(cursor) if cursor else 0
    except InvalidCursor as error:
        raise HTTPException(400, str(error)) from None
    settings = service.settings
    settled = service.database.clock.now() - timedelta(seconds=settings.feed_settle_seconds)
    rows = await partners.feed_page(await service.directory.reads.pool(), after,
                                    since if since is not None and cursor is None else EPOCH, settled,
                                    settings.feed_page_size + 1)
    has_more = len(rows) > settings.feed_page_size
    rows = rows[: settings.feed_page_size]
    items = []
    for row in rows:
        head = {"structure_id": str(row["structure_id"]), "seq": row["feed_seq"],
                "changed_at": row["changed_at"].isoformat()}
        if row["online"]:
            items.append(json.dumps({**head, "change": "upsert"})[:-1] + ',"activator":' + row["public_json"] + "}")
        else:
            items.append(json.dumps({**head, "change": "delete", "slug": row["slug"]}))
    next_cursor = encode_cursor(rows[-1]["feed_seq"] if rows else after)
    body = '{"items":[' + ",".join(items) + f'],"next_cursor":"{next_cursor}","has_more":{json.dumps(has_more)}}}'
    return Response(body, media_type="application/json")
