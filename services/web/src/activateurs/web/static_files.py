"""Serves the static bundle: `/static/<hash>/…`, immutable for a year, gzip when the browser takes it."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from .static_build import MANIFEST

IMMUTABLE = "public, max-age=31536000, immutable"
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("image/svg+xml", ".svg")


class StaticBundle:
    """The built bundle: its hash names every URL, so a new build never meets a stale cache."""

    def __init__(self, folder: Path) -> None:
        manifest = folder / MANIFEST
        if not manifest.exists():
            raise SystemExit(f"no static bundle in {folder}: run `make web-assets` (or `activateurs-web build-static`)")
        self.folder = folder.resolve()
        self.bundle = json.loads(manifest.read_text())["bundle"]
        self.prefix = f"/static/{self.bundle}/"

    def url(self, path: str) -> str:
        return self.prefix + path.lstrip("/")

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)

        @router.get("/static/{bundle}/{path:path}")
        async def static(bundle: str, path: str, request: Request) -> Response:
            file = (self.folder / path).resolve()
            if bundle != self.bundle or not file.is_relative_to(self.folder) or not file.is_file() \
                    or file.suffix == ".gz" or file.name in (MANIFEST, ".built"):
                raise HTTPException(404)
            media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            headers = {"Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding"}
            packed = file.with_name(file.name + ".gz")
            if packed.exists() and "gzip" in request.headers.get("accept-encoding", ""):
                return FileResponse(packed, media_type=media_type,
                                    headers={**headers, "Content-Encoding": "gzip"})
            return FileResponse(file, media_type=media_type, headers=headers)

        return router
