"""Registration's API for the applicant's dossier: the draft and its problems, documents, the submission."""

from __future__ import annotations

from typing import Any

import aiohttp

from .base import ApiClient, segment

# Registration's own limit (RegistrationSettings.max_document_bytes) and the room it leaves for the form's fields.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
FORM_OVERHEAD_BYTES = 64 * 1024
DRAFT_PARTS = ("structure", "management", "declarations", "referent_card")


class DossierClient:
    def __init__(self, registration: ApiClient) -> None:
        self.registration = registration

    async def get(self, headers: dict[str, str]) -> dict[str, Any]:
        """The draft (its four parts), its status, revision, `problems`, `derived` and the DGE's request if any; once
        accepted, the structure's current information (the profile page reads its fields from it)."""
        return await self.registration.get_json("/api/v1/dossier", headers=headers)

    async def save(self, headers: dict[str, str], draft: dict[str, Any]) -> dict[str, Any]:
        """PUT the whole draft; the dossier as GET answers it, with the problems still open."""
        return await self.registration.send_json("PUT", "/api/v1/dossier", draft, headers=headers)

    async def documents(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        return await self.registration.get_json("/api/v1/dossier/documents", headers=headers)

    async def upload(self, headers: dict[str, str], kind: str, filename: str, content_type: str,
                     file: Any) -> dict[str, Any]:
        """Forwards the file (a binary file object, read as it is sent) with its kind."""
        form = aiohttp.FormData()
        form.add_field("kind", kind)
        form.add_field("file", file, filename=filename or "document", content_type=content_type)
        return (await self.registration.request("POST", "/api/v1/dossier/documents", data=form,
                                                headers=headers)).json()

    async def document(self, headers: dict[str, str], document_id: str) -> tuple[bytes, str]:
        """One of the caller's documents (registration answers 404 for anyone else's)."""
        answer = await self.registration.request("GET", f"/api/v1/dossier/documents/{segment(document_id)}",
                                                 headers=headers)
        return answer.content, answer.headers.get("content-type", "application/octet-stream")

    async def submit(self, headers: dict[str, str], charter_version: int) -> dict[str, Any]:
        return await self.registration.post_json("/api/v1/dossier/submission", {
            "charter_version": charter_version, "accept_charter": True}, headers=headers)
