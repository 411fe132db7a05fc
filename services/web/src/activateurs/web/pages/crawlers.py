"""What search engines fetch: robots.txt and the sitemap of every published profile (streamed)."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from xml.sax.saxutils import escape

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from ..clients.base import open_stream
from ..context import WebDep

router = APIRouter(include_in_schema=False)
# Pages about one person or one link: never indexed.
PRIVATE_PATHS = ("/verification", "/invitation", "/contact-requests/", "/connexion", "/espace", "/mon-dossier",
                 "/mot-de-passe", "/email/", "/administration", "/photos/")


@router.get("/robots.txt", response_class=PlainTextResponse)
async def robots(web: WebDep) -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS),
             f"Sitemap: {web.pages.absolute('/sitemap.xml')}"]
    return "\n".join(lines) + "\n"


@router.get("/sitemap.xml")
async def sitemap(web: WebDep) -> Response:
    """Built from the open-data CSV as it streams: one line in, one <url> out, nothing held whole."""
    opened = await open_stream(web.directory.api, "/api/v1/open-data/activators.csv")

    async def body() -> AsyncIterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        for path in ("/", "/activateurs", "/charte", "/donnees-ouvertes"):
            yield f"<url><loc>{escape(web.pages.absolute(path))}</loc></url>\n".encode()
        slug_column = None
        pending = ""
        async for line in opened.lines():
            pending += line
            if pending.count('"') % 2:  # a quoted field goes on over the next line
                continue
            record, pending = pending, ""
            if not record.strip():
                continue
            row = next(csv.reader([record]))
            if slug_column is None:
                slug_column = _profile_column(row)
                continue
            slug = row[slug_column].rstrip("/").rsplit("/", 1)[-1] if len(row) > slug_column else ""
            if slug:
                yield f"<url><loc>{escape(web.pages.absolute('/activateurs/' + slug))}</loc></url>\n".encode()
        yield b"</urlset>\n"

    return StreamingResponse(body(), media_type="application/xml")


def _profile_column(header: list[str]) -> int:
    for index, name in enumerate(header):
        if "url" in name.lower() or "fiche" in name.lower():
            return index
    return len(header) - 1
