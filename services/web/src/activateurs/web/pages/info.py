"""Pages of the programme and the site: the charter, legal notices, accessibility, personal data, open data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ..clients.base import open_stream
from ..context import WebDep

router = APIRouter(include_in_schema=False)

STATIC_PAGES = {
    "/mentions-legales": ("pages/legal.html", "Mentions légales"),
    "/accessibilite": ("pages/accessibility.html", "Déclaration d'accessibilité"),
    "/donnees-personnelles": ("pages/personal_data.html", "Données personnelles"),
    "/donnees-ouvertes": ("pages/open_data.html", "Données ouvertes"),
    "/plan-du-site": ("pages/site_map.html", "Plan du site"),
}
# The extranet's entry points linked from the emails that have no page yet: they answer until theirs replace them.
SPACE_PAGES = {
}


def _static_page(template: str, title: str):  # noqa: ANN202  # a route handler made per page
    async def page(request: Request, web: WebDep) -> Response:
        return web.pages.render(request, template, title=title, canonical=web.pages.absolute(request.url.path))
    return page


def _space_page(title: str):  # noqa: ANN202
    async def page(request: Request, web: WebDep) -> Response:
        return web.pages.render(request, "pages/space_soon.html", title=title)
    return page


for path, (template, title) in STATIC_PAGES.items():
    router.add_api_route(path, _static_page(template, title), methods=["GET"], response_class=HTMLResponse)
for path, title in SPACE_PAGES.items():
    router.add_api_route(path, _space_page(title), methods=["GET"], response_class=HTMLResponse)


@router.get("/charte", response_class=HTMLResponse)
async def charter(request: Request, web: WebDep) -> Response:
    found = await web.registration.charter()
    return web.pages.render(request, "pages/charter.html", charter=found, canonical=web.pages.absolute("/charte"),
                            paragraphs=[block.strip() for block in found["text"].split("\n\n") if block.strip()])


@router.get("/donnees-ouvertes/activateurs.{kind}")
async def open_data(kind: str, web: WebDep) -> Response:
    """The directory's export, streamed through this origin as it comes."""
    if kind not in ("csv", "json"):
        return Response(status_code=404)
    media = "text/csv; charset=utf-8" if kind == "csv" else "application/json"

    opened = await open_stream(web.directory.api, f"/api/v1/open-data/activators.{kind}")
    return StreamingResponse(opened.chunks(), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="activateurs-france-num.{kind}"'})
