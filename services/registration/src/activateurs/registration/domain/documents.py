"""What an uploaded file really is, from its first bytes (never from its name or declared type)."""

from __future__ import annotations

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
ACCEPTED_TYPES = tuple(content_type for _, content_type in _SIGNATURES)


def sniff(content: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG file; None for anything else (executables included)."""
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None
