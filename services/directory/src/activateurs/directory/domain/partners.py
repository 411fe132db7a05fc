"""Partner API keys and the incremental feed's cursor (pure rules)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta

KEY_PREFIX = "act_"
MAX_VALIDITY = timedelta(days=3 * 366)


class InvalidCursor(ValueError):
    pass


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """Keys are 256-bit random secrets: a plain SHA-256 is enough (no dictionary to guess from)."""
    return hashlib.sha256(key.encode()).hexdigest()


def check_expiry(expires_at: datetime, now: datetime) -> str | None:
    if expires_at <= now:
        return "expires_at: must be in the future"
    if expires_at - now > MAX_VALIDITY:
        return "expires_at: at most three years ahead"
    return None


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, seq = raw.partition(":")
        if version != "v1" or not seq.isdigit() or len(seq) > 18:
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise InvalidCursor("cursor: not a cursor returned by this feed") from None
