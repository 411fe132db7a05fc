"""The tamper-evident audit chain: each record's hash covers its content and the previous record's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "actor", "action", "subject_id", "reason", "details")


def record_hash(previous_hash: str, record: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the record's fields in canonical JSON (sorted keys, ISO times)."""
    content = {name: _canonical(record[name]) for name in HASHED_FIELDS}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}|{canonical}".encode()).hexdigest()


def _canonical(value: Any) -> Any:
    # The same instant must hash the same whichever time zone the database hands it back in.
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


