"""The queue of dossiers waiting for the DGE, oldest first, with its filters."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
