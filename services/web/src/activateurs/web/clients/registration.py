"""Registration's API: accounts and sessions, the links of its mails, the charter, member photos."""

from __future__ import annotations

from typing import Any

from .base import ApiClient, OpenStream, forwarded_for, open_stream, segment


class RegistrationClient:
    def __init__(self, api: ApiClient) -> None:
        self.api = api

    # --- accounts and sessions ---

    async def create_account(self, email: str, password: str, first_name: str, last_name: str) -> None:
        await self.api.post_json("/api/v1/accounts", {"email": email, "password": password,
                                                      "first_name": first_name, "last_name": last_name})

    async def resend_verification(self, email: str) -> None:
        await self.api.post_json("/api/v1/accounts/verification-email", {"email": email})

    async def sign_in(self, email: str, password: str, client_address: str | None) -> dict[str, Any]:
        # Registration throttles failed sign-ins per address: it must count the person, not this server.
        return (await self.api.request("POST", "/api/v1/auth/token", headers=forwarded_for(client_address), data={
            "grant_type": "password", "username": email, "password": password})).json()

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        return await self.api.post_json("/api/v1/accounts/session/refresh", {"refresh_token": refresh_token})

    async def sign_out(self, refresh_token: str) -> None:
        await self.api.post_json("/api/v1/accounts/sign-out", {"refresh_token": refresh_token})

    async def me(self, headers: dict[str, str]) -> dict[str, Any]:
        return await self.api.get_json("/api/v1/me", headers=headers)

    async def request_password_reset(self, email: str, client_address: str | None) -> None:
        await self.api.post_json("/api/v1/accounts/password-reset", {"email": email},
                                 headers=forwarded_for(client_address))

    async def reset_password(self, token: str, password: str) -> None:
        await self.api.post_json("/api/v1/accounts/password-reset/confirmation",
                                 {"token": token, "password": password})

    async def change_password(self, headers: dict[str, str], current: str, new: str) -> None:
        await self.api.post_json("/api/v1/me/password", {"current_password": current, "new_password": new},
                                 headers=headers)

    async def change_email(self, headers: dict[str, str], new_email: str, password: str) -> None:
        await self.api.post_json("/api/v1/me/email", {"new_email": new_email, "password": password},
                                 headers=headers)

    # --- the links of its mails, the public pages ---

    async def verify(self, token: str) -> None:
        await self.api.post_json("/api/v1/accounts/verification", {"token": token})

    async def confirm_email_change(self, token: str) -> None:
        await self.api.post_json("/api/v1/accounts/email-change/confirmation", {"token": token})

    async def charter(self) -> dict[str, Any]:
        return await self.api.get_json("/api/v1/charter")

    async def photo(self, document_id: str) -> tuple[bytes, str]:
        answer = await self.api.request("GET", f"/api/v1/photos/{segment(document_id)}")
        return answer.content, answer.headers.get("content-type", "application/octet-stream")

    # --- life in the programme, leaving it, the person's data ---

    async def renew_engagement(self, headers: dict[str, str], charter_version: int) -> dict[str, Any]:
        """`{engagement_expires_at}`; ApiError 409 (stale charter, too early, no engagement), 403 for a member."""
        return await self.api.post_json("/api/v1/engagement/renewal", {"charter_version": charter_version},
                                        headers=headers)

    async def accept_charter(self, headers: dict[str, str], charter_version: int) -> dict[str, Any]:
        """`{charter_version, accepted_at}`; ApiError 409 when it is no longer the current version."""
        return await self.api.post_json("/api/v1/charter/acceptance", {"charter_version": charter_version},
                                        headers=headers)

    async def withdraw(self, headers: dict[str, str], reason: str, scope: str) -> None:
        """scope `member` (the member leaves; their account is deleted) or `structure` (the referent's)."""
        await self.api.post_json("/api/v1/withdrawal", {"reason": reason, "scope": scope}, headers=headers)

    async def export_stream(self, headers: dict[str, str]) -> OpenStream:
        """Everything registration holds about the person (JSON), streamed as it comes."""
        return await open_stream(self.api, "/api/v1/me/export", headers=headers)

    async def delete_me(self, headers: dict[str, str]) -> None:
        await self.api.send_json("DELETE", "/api/v1/me", headers=headers)
