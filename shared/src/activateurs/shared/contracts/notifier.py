"""Events of the notifier: the email request any service sends, and the outcome it reports."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from .base import Contract, Event
from .emails import EMAIL_CONTEXTS, EmailContext, context_schemas


class EmailRequestedData(Contract):
    idempotency_key: str = Field(min_length=1, max_length=200)
    template: str = Field(
        description="A template key of CONTRACTS.md; its context fields are the matching EmailContext model.",
        json_schema_extra={"enum": sorted(EMAIL_CONTEXTS)},
    )
    # Kept as a plain string (not EmailStr) so a bad address is stored and reported as a
    # permanent failure instead of dead-lettering the whole request.
    to: str = Field(min_length=1, max_length=320)
    account_id: UUID | None = Field(
        None, description="The account this mail is addressed to, if any: its deletion erases the mail's traces.")
    context: dict[str, Any] = Field(
        default_factory=dict,
        description="The template's context; `x-template-contexts` gives its schema for each template.",
        json_schema_extra={"x-template-contexts": context_schemas()},
    )


class EmailRequested(Event):
    event_type: Literal["notifier.email.requested.v1"]
    data: EmailRequestedData

    @classmethod
    def for_context(
        cls,
        context: EmailContext,
        *,
        to: str,
        idempotency_key: str,
        producer: str,
        occurred_at: Any,
        account_id: UUID | None = None,
        correlation_id: str | None = None,
    ) -> EmailRequested:
        """The typed way for a producer to ask for an email: the context model names its template."""
        return cls.new(
            EmailRequestedData(
                idempotency_key=idempotency_key,
                template=context.template,
                to=to,
                account_id=account_id,
                context=context.model_dump(mode="json"),
            ),
            producer=producer,
            occurred_at=occurred_at,
            correlation_id=correlation_id,
        )


class EmailOutcomeData(Contract):
    idempotency_key: str
    template: str
    at: AwareDatetime
    attempts: int = 0
    error: str | None = None


class EmailSent(Event):
    event_type: Literal["notifier.email.sent.v1"]
    data: EmailOutcomeData


class EmailFailed(Event):
    event_type: Literal["notifier.email.failed.v1"]
    data: EmailOutcomeData
