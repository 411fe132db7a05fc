"""Contact-relay's public API: a business's request, and the one-click acknowledgement link."""

from __future__ import annotations

from typing import Any

from .base import ApiClient, forwarded_for, segment


class ContactRelayClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    async def submit(self, request: dict[str, Any], client_address: str | None) -> str:
        # The relay limits requests per address: it must count the business, not this server.
        return (await self.api.post_json("/api/v1/contact-requests", request,
                                         headers=forwarded_for(client_address)))["id"]

    async def by_link(self, request_id: str, token: str) -> dict[str, Any]:
        return await self.api.get_json(f"/api/v1/contact-requests/{segment(request_id)}", params={"token": token})

    async def acknowledge(self, request_id: str, token: str) -> dict[str, Any]:
        return await self.api.post_json(f"/api/v1/contact-requests/{segment(request_id)}/acknowledgement",
                                        params={"token": token})
