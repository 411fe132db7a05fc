"""HTTP API of the directory: search, profile pages, statistics (a structure's, the network's), open-data exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse

from activateurs.shared.auth import DGE_ROLES, Principal, region_scope, require_roles
from activateurs.shared.contracts.vocabulary import Category, Domain, Role, Service, StructureType
from activateurs.shared.iso_dates import IsoDate

from ..adapters import reads, repository
from ..adapters.reads import CountCache, Criteria, ReadPool
from ..adapters.search_cache import PageCache
from ..domain.geography import REGION_CODE, Geography
from ..domain.search import MAX_PAGE, MAX_PAGE_SIZE, InvalidSearch, check_text, joined_variants, locate
from ..domain.statistics import InvalidPeriod, period
from ..service.counters import Counters
from ..service.statistics import known_structure_region, network_statistics, structure_statistics

router = APIRouter(prefix="/api/v1", tags=["directory"])

SEARCH_PARAMETERS = frozenset({"q", "postal_code", "department", "region", "domain", "service", "structure_type",
                               "page", "page_size"})
JSON = "application/json"
STATISTICS_READERS = (Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT)


@dataclass
class Directory:
    """What the routes need, built once in app.py."""

    reads: ReadPool
    counters: Counters
    geography: Geography
    public_base_url: str
    pages: PageCache
    count_cap: int
    counts: CountCache = field(default_factory=CountCache)


async def directory(request: Request) -> Directory:  # async: a plain def would run in the thread pool
    return request.app.state.service.directory


DirectoryDep = Annotated[Directory, Depends(directory)]


def _bad(message: str, status: int = 422) -> HTTPException:
    return HTTPException(status_code=status, detail=message)


@router.get("/activators", summary="Search published activators, nearest first",
            responses={200: {"description": "`{items, total, total_capped, page, page_size}`: `total` is exact "
                                            "unless `total_capped` (more results than DIRECTORY_SEARCH_COUNT_CAP, "
                                            "which `total` then equals); pages go on past it"},
                       400: {"description": "unknown parameter"}, 422: {"description": "malformed criterion"}})
async def search_activators(
    request: Request,
    state: DirectoryDep,
    q: Annotated[str | None, Query(max_length=400, description="free text, French; accents and case ignored")] = None,
    postal_code: Annotated[str | None, Query(max_length=5, description="the business's postal code")] = None,
    department: Annotated[str | None, Query(max_length=3, description="e.g. 75, 2A, 974")] = None,
    region: Annotated[str | None, Query(max_length=3, description="COG region code, e.g. 11, 94")] = None,
    domain: Annotated[list[Domain] | None, Query(max_length=6)] = None,
    service: Annotated[list[Service] | None, Query(max_length=4)] = None,
    structure_type: Annotated[list[StructureType] | None, Query(max_length=9)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Response:
    unknown = sorted(set(request.query_params) - SEARCH_PARAMETERS)
    if unknown:
        raise _bad(f"unknown parameter(s): {', '.join(unknown)}; allowed: {', '.join(sorted(SEARCH_PARAMETERS))}",
                   400)
    try:
        text = check_text(q)
        location = locate(state.geography, postal_code, department, region)
    except InvalidSearch as error:
        raise _bad(str(error)) from None
    criteria = Criteria(text=text, variants=joined_variants(text) if text else [], location=location,
                        domains=[d.value for d in domain or ()], services=[s.value for s in service or ()],
                        structure_types=[t.value for t in structure_type or ()])
    found = await reads.search(await state.reads.pool(), state.counts, state.pages, criteria, limit=page_size,
                               offset=(page - 1) * page_size, count_cap=state.count_cap)
    state.counters.appeared(found.structure_ids)
    capped = "true" if found.total_capped else "false"
    body = (f'{{"items":[{found.items_json}],"total":{found.total},"total_capped":{capped},"page":{page},'
            f'"page_size":{page_size}}}')
    return Response(body, media_type=JSON)


@router.get("/activators/{slug}", summary="A published profile; counts a view",
            responses={200: {"description": "the public profile"}, 404: {"description": "unknown or offline"}})
async def get_activator(slug: str, state: DirectoryDep) -> Response:
    if len(slug) > 200:
        raise _bad("no such activator", 404)
    found = await reads.profile(await state.reads.pool(), slug)
    if found is None:
        raise _bad("no such activator", 404)
    structure_id, public_json = found
    state.counters.viewed(structure_id)
    return Response(public_json, media_type=JSON)


@router.get("/places", summary="Regions and departments with their official names (COG), for search forms",
            responses={200: {"description": "`{version, regions: [{code, name}], departments: [{code, name, region}]}`"}})
async def places(state: DirectoryDep) -> Response:
    geography = state.geography
    body = {"version": geography.version,
            "regions": [{"code": code, "name": name} for code, name in sorted(geography.regions.items(),
                                                                              key=lambda item: item[1])],
            "departments": [{"code": code, "name": name, "region": region}
                            for code, (name, region) in sorted(geography.departments.items())]}
    return Response(json.dumps(body, ensure_ascii=False), media_type=JSON,
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/me/statistics", summary="The calling structure's statistics, by day and by month",
            responses={401: {"description": "no or invalid token"},
                       403: {"description": "not an activator of a published structure"},
                       422: {"description": "bad period"}})
async def my_statistics(
    principal: Annotated[Principal, require_roles(Role.ACTIVATOR)],
    request: Request,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day (UTC), default: 30 days ago")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day (UTC), default: today")] = None,
) -> dict[str, object]:
    if principal.structure_id is None:
        raise _bad("this account has no structure yet", 403)
    db = request.app.state.service.database
    try:
        first, last = period(start, end, db.clock.now().date())
    except InvalidPeriod as error:
        raise _bad(str(error)) from None
    return {"structure_id": str(principal.structure_id),
            **await structure_statistics(db, principal.structure_id, first, last)}


@router.get("/structures/{structure_id}/statistics",
            summary="A structure's statistics, by day and by month (DGE: any structure; DREETS: their region's)",
            responses={401: {"description": "no or invalid token"},
                       403: {"description": "not a DGE or DREETS agent, or a DREETS agent of another region"},
                       404: {"description": "a structure the directory does not know"},
                       422: {"description": "bad period"}})
async def agent_statistics(
    structure_id: UUID,
    principal: Annotated[Principal, require_roles(*STATISTICS_READERS)],
    request: Request,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day (UTC), default: 30 days ago")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day (UTC), default: today")] = None,
) -> dict[str, object]:
    db = request.app.state.service.database
    known, region = await known_structure_region(db, structure_id)
    if not known:
        raise _bad("no such structure", 404)
    if not principal.has_any(*DGE_ROLES) and (principal.region is None or principal.region != region):
        raise _bad("a DREETS agent reads the statistics of their own region's structures only", 403)
    try:
        first, last = period(start, end, db.clock.now().date())
    except InvalidPeriod as error:
        raise _bad(str(error)) from None
    return {"structure_id": str(structure_id), **await structure_statistics(db, structure_id, first, last)}


@router.get("/structures/{structure_id}/publication",
            summary="Where a structure stands in the directory: slug, name, region, online, profile URL (DGE; DREETS: "
                    "their region's); a back-office's link to the profile, without counting a search or a view",
            responses={401: {"description": "no or invalid token"},
                       403: {"description": "not a DGE or DREETS agent, or a DREETS agent of another region"},
                       404: {"description": "a structure the directory does not know"}})
async def publication_of(
    structure_id: UUID, principal: Annotated[Principal, require_roles(*STATISTICS_READERS)], request: Request,
    state: DirectoryDep,
) -> dict[str, object]:
    async with request.app.state.service.database.sessions() as session:
        found = await repository.publication(session, structure_id)
    if found is None:
        raise _bad("no such structure", 404)
    if not principal.has_any(*DGE_ROLES) and (principal.region is None or principal.region != found["region"]):
        raise _bad("a DREETS agent reads their own region's structures only", 403)
    url = f"{state.public_base_url.rstrip('/')}/activateurs/{found['slug']}" if found["slug"] else None
    return {**found, "structure_id": str(structure_id), "url": url if found["online"] else None}


NETWORK_STATISTICS = (
    "`{from, to, region, published: {total, by_region: [{region, name, published}]}, totals, days, months}`: "
    "`published` counts the profiles online now; `totals`, each of `days` and each of `months` (`month`: YYYY-MM) "
    "hold `views`, `search_appearances`, `contacts_received` (requests forwarded), `acknowledged`, "
    "`acknowledged_in_time`, `overdue`, `redirected` and `median_ack_seconds`, summed over the structures as "
    "/me/statistics counts them; `totals.acknowledgement_rate` is acknowledged in time / received (null without any)")


@router.get("/statistics",
            summary="The network's figures over a period, by day and by month (DGE; DREETS: its own region)",
            responses={200: {"description": NETWORK_STATISTICS},
                       401: {"description": "no or invalid token"},
                       403: {"description": "not a DGE or DREETS agent, or a DREETS agent asking for another region "
                                            "(or whose token names none)"},
                       422: {"description": "bad period, or an unknown region code"}})
async def network_figures(
    principal: Annotated[Principal, require_roles(*STATISTICS_READERS)],
    request: Request,
    state: DirectoryDep,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day (UTC), default: 30 days ago")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day (UTC), default: today")] = None,
    region: Annotated[str | None, Query(max_length=3, description="COG region code, e.g. 11 (DGE: default every "
                                                                  "region; a DREETS agent: its own only)")] = None,
) -> dict[str, object]:
    if region is not None and (not REGION_CODE.match(region) or region not in state.geography.regions):
        raise _bad("region: not a region code (e.g. 11, 94, 04)")
    region = region_scope(principal, region)
    db = request.app.state.service.database
    try:
        first, last = period(start, end, db.clock.now().date())
    except InvalidPeriod as error:
        raise _bad(str(error)) from None
    figures = await network_statistics(db, first, last, region)
    published = figures["published"]
    for line in published["by_region"]:  # type: ignore[index]
        line["name"] = state.geography.region_name(line["region"]) if line["region"] else None
    return figures


OPEN_DATA_COLUMNS = ("identifiant", "nom", "type", "categorie", "adresse", "code_postal", "ville", "region",
                     "url_fiche")


def _open_data_record(row: object, state: Directory) -> list[str]:
    return [str(row["structure_id"]), row["name"], StructureType(row["structure_type"]).label,  # type: ignore[index]
            Category(row["category"]).label, row["street"], row["postal_code"], row["city"],  # type: ignore[index]
            state.geography.region_name(row["region"]) or row["region"],  # type: ignore[index]
            f"{state.public_base_url.rstrip('/')}/activateurs/{row['slug']}"]  # type: ignore[index]


@router.get("/open-data/activators.csv", summary="Open-data export (CSV, UTF-8), streamed",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def open_data_csv(state: DirectoryDep) -> StreamingResponse:
    pool = await state.reads.pool()

    async def lines() -> AsyncIterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(OPEN_DATA_COLUMNS)
        count = 0
        async for row in reads.open_data_rows(pool):
            writer.writerow(_open_data_record(row, state))
            count += 1
            if count % 500 == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="activateurs.csv"'})


@router.get("/open-data/activators.json", summary="Open-data export (JSON array, UTF-8), streamed",
            response_class=StreamingResponse, responses={200: {"content": {JSON: {}}}})
async def open_data_json(state: DirectoryDep) -> StreamingResponse:
    pool = await state.reads.pool()

    async def chunks() -> AsyncIterator[bytes]:
        yield b"["
        separator = ""
        batch: list[str] = []
        async for row in reads.open_data_rows(pool):
            record = dict(zip(OPEN_DATA_COLUMNS, _open_data_record(row, state), strict=True))
            batch.append(separator + json.dumps(record, ensure_ascii=False))
            separator = ","
            if len(batch) >= 500:
                yield "".join(batch).encode()
                batch.clear()
        yield ("".join(batch) + "]").encode()

    return StreamingResponse(chunks(), media_type="application/json; charset=utf-8")
