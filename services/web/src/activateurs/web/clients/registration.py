"""Registration's public API used by the public pages: the links of its mails, the charter, member photos."""

from __future__ import annotations

from typing import Any

from .base import ApiClient, segment


class RegistrationClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def verify(self, token: str) -> None:
        await self.api.post_json("/api/v1/accounts/verification", {"token": token})

    async def confirm_email_change(self, token: str) -> None:
        await self.api.post_json("/api/v1/accounts/email-change/confirmation", {"token": token})

    async def charter(self) -> dict[str, Any]:
        return await self.api.get_json("/api/v1/charter")

    async def photo(self, document_id: str) -> tuple[bytes, str]:
        answer = await self.api.request("GET", f"/api/v1/photos/{segment(document_id)}")
        return answer.content, answer.headers.get("content-type", "application/octet-stream")
