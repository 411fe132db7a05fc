"""One-click acknowledgement tokens: HMAC-signed, bound to one request and one structure, expiring."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from uuid import UUID


class InvalidAckToken(Exception):
    """Forged, expired, or made for another request or structure."""


def _mac(secret: str, request_id: UUID, structure_id: UUID, expires: int) -> str:
    message = f"contact-ack:{request_id}:{structure_id}:{expires}".encode()
    digest = hmac.digest(secret.encode(), message, hashlib.sha256)  # one-shot: the sweeper signs thousands
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: str, request_id: UUID, structure_id: UUID, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{expires}.{_mac(secret, request_id, structure_id, expires)}"


def verify(secret: str, token: str, request_id: UUID, structure_id: UUID, now: datetime) -> None:
    """Raise InvalidAckToken unless `token` was signed for this request held by this structure, and is current.

    A token of a request since redirected names the former structure, so it no longer acknowledges.
    """
    expires_text, _, mac = token.partition(".")
    if not expires_text.isdigit() or not mac or len(token) > 200:
        raise InvalidAckToken("malformed acknowledgement token")
    expected = _mac(secret, request_id, structure_id, int(expires_text))
    if not hmac.compare_digest(mac, expected):
        raise InvalidAckToken("this acknowledgement link is not valid for this request")
    if int(expires_text) < now.timestamp():
        raise InvalidAckToken("this acknowledgement link has expired")
