"""The accepted structures as the DGE governs them: validation's list, history and sanctions, registration's
record of the charter versions each accepted, the directory's publication of each."""

from __future__ import annotations

from typing import Any

from .base import ApiClient, segment

PATH = "/api/v1/structures"


class StructuresClient:
    def __init__(self, validation: ApiClient, registration: ApiClient, directory: ApiClient) -> None:
        self.validation = validation
        self.registration = registration
        self.directory = directory

    async def search(self, headers: dict[str, str], *, q: str | None = None, status: str | None = None,
                     region: str | None = None, page: int = 1, page_size: int = 50) -> dict[str, Any]:
        """`{items, total, page, page_size}` by name; `status` is validation's structure_state (active, suspended,
        struck_off, withdrawn, cancelled); a DREETS token sees its region only."""
        chosen = {"q": q, "status": status, "region": region}
        params = {name: value for name, value in chosen.items() if value}
        params.update(page=str(page), page_size=str(page_size))
        return await self.validation.get_json(PATH, params=params, headers=headers)

    async def structure(self, headers: dict[str, str], structure_id: str) -> dict[str, Any]:
        """The structure and its dossier's history, oldest first (404 for an unknown one or another region's)."""
        return await self.validation.get_json(f"{PATH}/{segment(structure_id)}", headers=headers)

    async def charter_acceptances(self, headers: dict[str, str], structure_id: str) -> list[dict[str, Any]]:
        """Registration's record of each charter version the structure accepted (`charter_version`,
        `accepted_at`, ...); DGE roles only."""
        found = await self.registration.get_json(f"{PATH}/{segment(structure_id)}/charter-acceptances",
                                                 headers=headers)
        return list(found.get("items") or [])

    async def publication(self, headers: dict[str, str], structure_id: str) -> dict[str, Any]:
        """`{slug, name, region, online, url}` as the directory knows it (404 when it never did); read by id, it
        counts no search appearance and no view in the structure's statistics."""
        return await self.directory.get_json(f"{PATH}/{segment(structure_id)}/publication", headers=headers)

    async def audit_trail(self, headers: dict[str, str], structure_id: str) -> list[dict[str, Any]]:
        """The audit log's records about the structure (DGE roles): what remains once its case is erased."""
        found = await self.validation.get_json("/api/v1/audit-log", params={
            "subject_id": structure_id, "page": "1", "page_size": "100"}, headers=headers)
        return list(found.get("items") or [])

    async def suspend(self, headers: dict[str, str], structure_id: str, reason: str) -> dict[str, Any]:
        return await self.validation.post_json(f"{PATH}/{segment(structure_id)}/suspension", {"reason": reason},
                                               headers=headers)

    async def reinstate(self, headers: dict[str, str], structure_id: str, reason: str) -> dict[str, Any]:
        return await self.validation.send_json("DELETE", f"{PATH}/{segment(structure_id)}/suspension",
                                               {"reason": reason}, headers=headers)

    async def strike_off(self, headers: dict[str, str], structure_id: str, reason: str) -> dict[str, Any]:
        return await self.validation.post_json(f"{PATH}/{segment(structure_id)}/strike-off", {"reason": reason},
                                               headers=headers)
