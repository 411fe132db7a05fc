"""Contact-relay's API: a business's request, the one-click acknowledgement link, and the activator's inbox."""

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

    # --- the activator's inbox, with the account's token ---------------------------------------------------------

    async def inbox(self, headers: dict[str, str], status: str | None, page: int, page_size: int) -> dict[str, Any]:
        params = {"page": str(page), "page_size": str(page_size), **({"status": status} if status else {})}
        return await self.api.get_json("/api/v1/me/contact-requests", params=params, headers=headers)

    async def inbox_item(self, headers: dict[str, str], request_id: str) -> dict[str, Any]:
        return await self.api.get_json(f"/api/v1/me/contact-requests/{segment(request_id)}", headers=headers)

    async def acknowledge_as_activator(self, headers: dict[str, str], request_id: str) -> dict[str, Any]:
        return await self.api.post_json(f"/api/v1/contact-requests/{segment(request_id)}/acknowledgement",
                                        headers=headers)

    async def redirect(self, headers: dict[str, str], request_id: str, activator_slug: str,
                       note: str | None) -> dict[str, Any]:
        return await self.api.post_json(f"/api/v1/contact-requests/{segment(request_id)}/redirection",
                                        {"activator_slug": activator_slug, "note": note}, headers=headers)
