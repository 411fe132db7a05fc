"""Delivery rules: the states of a requested email, the retry schedule, the deterministic Message-ID."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email


class DeliveryStatus(StrEnum):
    PENDING = "pending"    # waiting for its (next) attempt
    SENDING = "sending"    # claimed by a sender until its lease ends
    SENT = "sent"          # accepted by the SMTP server
    FAILED = "failed"      # permanently failed, or out of attempts


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base: timedelta
    cap: timedelta

    def after_failure(self, attempts: int, now: datetime, *, permanent: bool) -> datetime | None:
        """When to try again after the `attempts`-th attempt failed; None means give up."""
        if permanent or attempts >= self.max_attempts:
            return None
        delay = min(self.cap, self.base * (2 ** max(0, attempts - 1)))
        return now + delay


def message_id(idempotency_key: str, domain: str) -> str:
    """The same request always gets the same Message-ID, so a receiver can drop a rare resend."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def address_problem(address: str) -> str | None:
    """Why `address` cannot receive mail (syntax only; no DNS lookup), or None."""
    if "\r" in address or "\n" in address:
        return "invalid recipient address: control characters"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return f"invalid recipient address: {error}"
    return None
