"""Fetching a submitted document from where registration stores it, checked against the SHA-256 frozen at submission."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

import httpx

MAX_BYTES = 20 * 1024 * 1024


class DocumentUnavailable(Exception):
    """The store did not hand the document over (answered 502: the fault is not the caller's)."""


class DocumentGone(Exception):
    """The store no longer has it (answered 404)."""


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str


async def fetch_document(url_template: str, document_id: UUID, expected_sha256: str, *, authorization: str,
                         timeout: float = 10.0) -> Document:
    """GET the document with the caller's own token (the store checks its rights too), then verify its hash:
    the DGE must read exactly what was submitted."""
    url = url_template.format(document_id=document_id)
    try:
        async with httpx.AsyncClient(timeout=timeout) as client, \
                client.stream("GET", url, headers={"Authorization": authorization}) as response:
            if response.status_code in (403, 404, 410):
                raise DocumentGone("the document is no longer available")
            if response.status_code != 200:
                raise DocumentUnavailable(f"the document store answered {response.status_code}")
            content = b""
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > MAX_BYTES:
                    raise DocumentUnavailable("the document is larger than any accepted upload")
            content_type = response.headers.get("content-type", "application/octet-stream")
    except httpx.HTTPError as error:
        raise DocumentUnavailable(f"the document store is unreachable ({type(error).__name__})") from error
    if hashlib.sha256(content).hexdigest() != expected_sha256:
        raise DocumentUnavailable("the stored document differs from the one submitted (SHA-256 mismatch)")
    return Document(content, content_type)
