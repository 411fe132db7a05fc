"""The programme as its DGE admins run it: charter versions and questionnaire campaigns (validation), partner keys
(directory)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import ApiClient, segment


class ProgrammeClient:
    def __init__(self, validation: ApiClient, directory: ApiClient) -> None:
        self.validation = validation
        self.directory = directory

    # --- charter versions (validation; registration serves the current one to everybody) ------------------------

    async def publish_charter(self, headers: dict[str, str], text: str, acceptance_deadline: datetime
                              ) -> dict[str, Any]:
        """`{version, acceptance_deadline, published_at}`; ApiError 422 when the deadline is past (or the text
        refused). Registration then asks every activator of the programme, by mail, to accept it."""
        return await self.validation.post_json("/api/v1/charter-versions", {
            "text": text, "acceptance_deadline": acceptance_deadline.isoformat()}, headers=headers)

    # --- questionnaire campaigns (validation; ValidationClient reads the one running) ----------------------------

    async def launch_questionnaire(self, headers: dict[str, str], year: int, url: str) -> dict[str, Any]:
        """`{campaign_id, year, url, launched_at}`; ApiError 409 when that year's campaign was already launched."""
        return await self.validation.post_json("/api/v1/questionnaire-campaigns", {"year": year, "url": url},
                                               headers=headers)

    # --- partner keys (directory) ---------------------------------------------------------------------------------

    async def partner_keys(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        """Every key issued, newest first: `{id, organisation, created_at, expires_at, revoked_at}` (never the key)."""
        return list((await self.directory.get_json("/api/v1/partner-keys", headers=headers))["items"])

    async def issue_key(self, headers: dict[str, str], organisation: str, expires_at: datetime) -> dict[str, Any]:
        """`{id, organisation, expires_at, key}`: the key in clear this once (the directory keeps its hash only);
        ApiError 422 for an expiry past or more than three years ahead."""
        return await self.directory.post_json("/api/v1/partner-keys", {
            "organisation": organisation, "expires_at": expires_at.isoformat()}, headers=headers)

    async def revoke_key(self, headers: dict[str, str], key_id: str) -> None:
        """ApiError 404 for an unknown key."""
        await self.directory.send_json("DELETE", f"/api/v1/partner-keys/{segment(key_id)}", headers=headers)
