"""The public directory: home, search results, profile pages, member photos."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from activateurs.shared.contracts.vocabulary import Domain, Service, StructureType

from ..clients.base import ApiError
from ..context import WebDep
from ..forms import search_error
from ..seo import organization_json_ld, profile_description

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MULTI = {"domain": Domain, "service": Service, "structure_type": StructureType}
SINGLE = ("q", "postal_code", "department", "region")


def criteria_from(request: Request) -> dict[str, Any]:
    """The search as the query string says it; unknown codes are left out rather than refused."""
    params = request.query_params
    found: dict[str, Any] = {name: params.get(name, "").strip()[:400] for name in SINGLE}
    found = {name: value for name, value in found.items() if value}
    for name, kind in MULTI.items():
        chosen = [value for value in params.getlist(name) if value in set(kind)]
        if chosen:
            found[name] = list(dict.fromkeys(chosen))
    return found


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return min(max(int(raw), 1), 500) if raw.isdigit() else 1


def query_string(criteria: dict[str, Any], page: int | None = None) -> str:
    pairs = [(k, v) for k, value in criteria.items() for v in ([value] if isinstance(value, str) else value)]
    if page and page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, web: WebDep) -> Response:
    return web.pages.render(request, "pages/home.html", places=await web.directory.places(), criteria={},
                            errors={}, canonical=web.pages.absolute("/"),
                            description="Trouvez près de chez vous un activateur France Num pour accompagner "
                                        "la transformation numérique de votre entreprise.")


@router.get("/activateurs", response_class=HTMLResponse)
async def results(request: Request, web: WebDep) -> Response:
    criteria = criteria_from(request)
    page = page_number(request)
    places = await web.directory.places()
    errors: dict[str, str] = {}
    found: dict[str, Any] = {"items": [], "total": 0, "total_capped": False}
    try:
        found = await web.directory.search({**criteria, "page": str(page), "page_size": str(PAGE_SIZE)})
    except ApiError as error:
        if error.status not in (400, 422):
            raise
        errors = search_error(error.detail)
    pages = max(1, math.ceil(found["total"] / PAGE_SIZE))
    return web.pages.render(
        request, "pages/results.html", status_code=422 if errors else 200, places=places, criteria=criteria,
        errors=errors, found=found, page=page, pages=pages, page_url=lambda n: "/activateurs?" + query_string(criteria, n),
        canonical=web.pages.absolute("/activateurs" + ("?" + query_string(criteria, page) if criteria or page > 1
                                                        else "")),
        description="Activateurs France Num : résultats de la recherche.")


@router.get("/activateurs/{slug}", response_class=HTMLResponse)
async def profile(slug: str, request: Request, web: WebDep) -> Response:
    found = await profile_or_404(web, slug)
    url = web.pages.absolute(f"/activateurs/{slug}")
    return web.pages.render(request, "pages/profile.html", profile=found, canonical=url,
                            description=profile_description(found),
                            json_ld=organization_json_ld(found, url))


async def profile_or_404(web: Any, slug: str) -> dict[str, Any]:
    try:
        return await web.directory.profile(slug)
    except ApiError as error:
        if error.status == 404:
            raise HTTPException(404) from None
        raise


@router.get("/photos/{document_id}")
async def photo(document_id: str, web: WebDep) -> Response:
    """A member's photo of an online profile, from registration, served from this origin."""
    if len(document_id) > 64:
        raise HTTPException(404)
    try:
        content, media_type = await web.registration.photo(document_id)
    except ApiError:
        raise HTTPException(404) from None
    return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
