"""Reports: the SLA of the contact requests (with its CSV), the directory's statistics, the audit log's check."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
