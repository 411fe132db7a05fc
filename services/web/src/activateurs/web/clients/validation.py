"""Validation's API as an activator uses it: the thread with the DGE, the annual questionnaire (which the DGE's
admins also read before launching the next)."""

from __future__ import annotations

from typing import Any

from .base import ApiClient, ApiError


class ValidationClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def thread(self, headers: dict[str, str]) -> dict[str, Any]:
        """`{dossier_id, status, respond_by, messages: [{id, author, body, requests_information, created_at}]}`;
        ApiError 404 when the account has no dossier with the DGE."""
        return await self.api.get_json("/api/v1/my-dossier/messages", headers=headers)

    async def reply(self, headers: dict[str, str], body: str) -> dict[str, Any]:
        """The applicant's reply (201); ApiError 409 once the thread is closed (decided)."""
        return await self.api.post_json("/api/v1/my-dossier/messages", {"body": body}, headers=headers)

    async def running_questionnaire(self, headers: dict[str, str]) -> dict[str, Any] | None:
        """`{campaign_id, year, url, launched_at}` of the questionnaire that runs now (the latest year's campaign
        launched less than a year ago); None when none does."""
        try:
            return await self.api.get_json("/api/v1/questionnaire-campaigns/current", headers=headers)
        except ApiError as error:
            if error.status == 404:
                return None
            raise
