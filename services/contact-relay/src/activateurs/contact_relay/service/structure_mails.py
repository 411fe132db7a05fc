"""Mails to a structure's contact addresses: tagged with its account (erasable) and keyed without the address."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from activateurs.shared.contracts.emails import EmailContext
from activateurs.shared.contracts.notifier import EmailRequested

PRODUCER = "contact-relay"  # the `producer` of every event of the service


def recipient_tag(secret: str, address: str) -> str:
    """A short keyed digest of the address: the same for the same request and recipient, yet not the address.

    Keyed (HMAC) so the keys the notifier keeps after an account's erasure cannot be matched against
    a list of known addresses.
    """
    return hmac.digest(secret.encode(), address.strip().lower().encode(), hashlib.sha256).hex()[:20]


def structure_mails(context: EmailContext, *, kind: str, request_id: UUID, structure_id: UUID,
                    account_id: UUID | None, addresses: Iterable[str], secret: str,
                    now: datetime) -> list[EmailRequested]:
    """One request per contact address; `account_id` lets the notifier erase them when that account goes."""
    return [
        EmailRequested.for_context(
            context, to=address,
            idempotency_key=f"contact-relay:{request_id}:{kind}:{structure_id}:{recipient_tag(secret, address)}",
            producer=PRODUCER, occurred_at=now, account_id=account_id)
        for address in addresses
    ]
