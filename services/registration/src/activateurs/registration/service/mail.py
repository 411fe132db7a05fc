"""Emails this service asks the notifier for: one helper, so every request carries its account and a stable key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from activateurs.shared.contracts.emails import EmailContext
from activateurs.shared.contracts.notifier import EmailRequested

from .context import PRODUCER


class Recipient:
    """The two account fields an email needs (`id`, `email`), from whatever row holds them."""

    def __init__(self, account_id: uuid.UUID | None, email: str) -> None:
        self.id = account_id
        self.email = email


def email_for(context: EmailContext, account: Any, key: str, now: datetime) -> EmailRequested:
    """`account` has `id` and `email`; `key` must be the same every time this very email is asked for."""
    return EmailRequested.for_context(context, to=account.email, account_id=account.id, producer=PRODUCER,
                                      occurred_at=now, idempotency_key=key)


def structure_name(draft: dict[str, Any]) -> str:
    return (draft.get("structure") or {}).get("name") or "votre structure"
