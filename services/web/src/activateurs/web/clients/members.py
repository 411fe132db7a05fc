"""Registration's API for a structure in the programme: its profile, its members, invitations and member cards."""

from __future__ import annotations

from typing import Any

import aiohttp

from .base import ApiClient

PHOTO_PATH = "/api/v1/structure/members/me/photo"  # registration's http_members.PHOTO_PATH


class MembersClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # --- the referent: the profile (read with DossierClient.get) and the members ---

    async def update_profile(self, headers: dict[str, str], patch: dict[str, Any]) -> dict[str, Any]:
        return await self.api.send_json("PATCH", "/api/v1/profile", patch, headers=headers)

    async def members(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        return await self.api.get_json("/api/v1/structure/members", headers=headers)

    async def invite(self, headers: dict[str, str], email: str, first_name: str, last_name: str) -> dict[str, Any]:
        return await self.api.post_json("/api/v1/structure/members", {
            "email": email, "first_name": first_name, "last_name": last_name}, headers=headers)

    # --- the invited person, then the member ---

    async def accept_invitation(self, token: str, password: str, charter_version: int) -> dict[str, Any]:
        return await self.api.post_json("/api/v1/structure/members/invitation", {
            "token": token, "password": password, "charter_version": charter_version, "accept_charter": True})

    async def card(self, headers: dict[str, str]) -> dict[str, Any]:
        return await self.api.get_json("/api/v1/structure/members/me/card", headers=headers)

    async def save_card(self, headers: dict[str, str], card: dict[str, Any]) -> dict[str, Any]:
        return await self.api.send_json("PUT", "/api/v1/structure/members/me/card", card, headers=headers)

    async def upload_photo(self, headers: dict[str, str], content: bytes, filename: str,
                           content_type: str) -> dict[str, Any]:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=filename, content_type=content_type)
        return (await self.api.request("POST", PHOTO_PATH, data=form, headers=headers)).json()
