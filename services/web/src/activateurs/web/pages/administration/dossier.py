"""One dossier as the DGE instructs it: the revision and its changes, pre-checks, documents, thread, decision."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
