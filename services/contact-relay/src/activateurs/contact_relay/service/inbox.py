"""The activator's inbox: their structure's requests, a page at a time, and one request with its contact details."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from activateurs.shared.db import Database

from ..adapters import requests


class NotInInbox(Exception):
    """No such request in this structure's inbox (another structure's answers the same)."""


async def inbox_page(db: Database, structure_id: UUID, status: str | None, page: int,
                     page_size: int) -> dict[str, Any]:
    """`{items, total, page, page_size}`, newest first."""
    async with db.sessions() as session:
        total = await requests.count_of_structure(session, structure_id, status)
        rows = await requests.page_of_structure(session, structure_id, status, page_size, (page - 1) * page_size)
    return {"items": [dict(row._mapping) for row in rows], "total": total, "page": page, "page_size": page_size}


async def inbox_request(db: Database, structure_id: UUID, request_id: UUID) -> dict[str, Any]:
    async with db.sessions() as session:
        row = await requests.request_of_structure(session, structure_id, request_id)
    if row is None:
        raise NotInInbox("no such contact request in your structure's inbox")
    return dict(row._mapping)
