"""Validation's API as the DGE instructs with it: the queue of dossiers, one dossier, its thread and decision."""

from __future__ import annotations

from typing import Any

from .base import ApiClient


class CasesClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def queue(self, headers: dict[str, str], *, status: str | None = None, region: str | None = None,
                    precheck: str | None = None, q: str | None = None, waiting: bool = False, page: int = 1,
                    page_size: int = 50) -> dict[str, Any]:
        """`{items, total, page, page_size}`, oldest waiting first; a DREETS token sees its region only."""
        chosen = {"status": status, "region": region, "precheck": precheck, "q": q}
        params = {name: value for name, value in chosen.items() if value}
        params.update(page=str(page), page_size=str(page_size), **({"waiting": "true"} if waiting else {}))
        return await self.api.get_json("/api/v1/dossiers", params=params, headers=headers)
