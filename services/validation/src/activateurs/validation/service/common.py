"""What the use cases share: the producer name, actors, and the emails this service is configured to send."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from activateurs.shared.auth import Principal
from activateurs.shared.contracts.emails import EmailContext
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.vocabulary import Role
from activateurs.shared.db import Database, UnitOfWork

PRODUCER = "validation"


class NotFound(Exception):
    """The case, structure or thread does not exist for this caller (answered 404)."""


@dataclass(frozen=True)
class Context:
    """The use cases' dependencies, wired once in app.py."""

    db: Database
    emails: Collection[str]
    public_base_url: str
    document_url: str = "http://127.0.0.1:8001/api/v1/dossier/documents/{document_id}"

    @property
    def dossier_url(self) -> str:
        return f"{self.public_base_url.rstrip('/')}/mon-dossier"

    def email_request(self, context: EmailContext, *, to: str, key: str, account_id: UUID | None,
                      correlation_id: str | None = None) -> EmailRequested | None:
        """The request for `context`'s email, if this service owns that email (None otherwise)."""
        if context.template.value not in self.emails:
            return None
        return EmailRequested.for_context(
            context, to=to, idempotency_key=f"validation:{key}", account_id=account_id, producer=PRODUCER,
            occurred_at=self.db.clock.now(), correlation_id=correlation_id)

    async def email(self, uow: UnitOfWork, context: EmailContext, *, to: str, key: str,
                    account_id: UUID | None, correlation_id: str | None = None) -> None:
        """Ask the notifier for `context`'s email through the outbox, if this service owns that email."""
        request = self.email_request(context, to=to, key=key, account_id=account_id, correlation_id=correlation_id)
        if request is not None:
            await uow.add_event(request)


def actor(principal: Principal) -> str:
    """How an agent appears in history and audit: role and token subject (no name, no email)."""
    role = next((r for r in (Role.DGE_ADMIN, Role.DGE_AGENT, Role.DREETS_AGENT, Role.ACTIVATOR)
                 if r in principal.roles), "unknown")
    return f"{role}:{principal.subject}"
