"""Validation's API as the DGE instructs with it: the queue of dossiers, one dossier, its thread and decision."""

from __future__ import annotations

from typing import Any

from .base import ApiClient, ApiUnavailable, segment

PATH = "/api/v1/dossiers"


class DocumentUnreadable(Exception):
    """Validation answered 502 for a document: its store failed, or the file no longer matches the SHA-256 frozen
    at submission. Not the whole service being down: the page says so where the document would be."""


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
        return await self.api.get_json(PATH, params=params, headers=headers)

    async def dossier(self, headers: dict[str, str], dossier_id: str) -> dict[str, Any]:
        """The case in full: its current revision (`dossier`, `members`, `documents`), pre-checks, thread, history;
        404 for an unknown one or another region's, 422 for an id that is no UUID."""
        return await self.api.get_json(f"{PATH}/{segment(dossier_id)}", headers=headers)

    async def document(self, headers: dict[str, str], dossier_id: str, document_id: str) -> tuple[bytes, str]:
        """A submitted document exactly as submitted (validation checks it against its SHA-256 at each opening):
        its bytes and content type. DocumentUnreadable when validation answers 502."""
        try:
            answer = await self.api.request(
                "GET", f"{PATH}/{segment(dossier_id)}/documents/{segment(document_id)}", headers=headers)
        except ApiUnavailable as error:
            # ApiClient keeps no status but its message: only a 502 is the document's own failure.
            if str(error).endswith("status 502"):
                raise DocumentUnreadable(str(error)) from None
            raise
        return answer.content, answer.headers.get("content-type", "application/octet-stream")

    async def post_message(self, headers: dict[str, str], dossier_id: str, body: str,
                           requests_information: bool) -> dict[str, Any]:
        """A DGE message; with `requests_information` the case awaits the applicant (3 months). 409 once decided,
        or when an information request already waits for its answer."""
        return await self.api.post_json(f"{PATH}/{segment(dossier_id)}/messages", {
            "body": body, "requests_information": requests_information}, headers=headers)

    async def decide(self, headers: dict[str, str], dossier_id: str, decision: str,
                     reason: str | None) -> dict[str, Any]:
        """Accept or refuse, once (409 when already decided); a refusal needs its reason."""
        return await self.api.post_json(f"{PATH}/{segment(dossier_id)}/decision", {
            "decision": decision, "reason": reason}, headers=headers)
