"""Fixtures of the notifier suites: a running notifier wired to this test's database, vhost and SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from activateurs.notifier.app import build_service
from activateurs.notifier.config import NotifierSettings
from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.emails import EMAIL_CONTEXTS
from activateurs.shared.contracts.notifier import EmailRequested, EmailRequestedData
from activateurs.shared.service import Service

StartNotifier = Callable[..., Awaitable[Service]]


@pytest.fixture
async def start_notifier(databases, vhost, smtp, issuer) -> AsyncIterator[StartNotifier]:
    started: list[Service] = []

    async def start(**overrides: Any) -> Service:
        values: dict[str, Any] = {
            "database_url": await databases.fresh("notifier"),
            "rabbitmq_url": vhost,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "backoff_base_seconds": 0.2,
            "backoff_max_seconds": 1.0,
            "max_attempts": 20,
            "idle_poll_seconds": 0.1,
            "outbox_poll_interval": 0.2,
            "jwks_url": issuer.jwks_url,
            "jwt_issuer": issuer.issuer,
            "jwt_audience": issuer.audience,
            "environment": "test",
            **overrides,
        }
        service = build_service(NotifierSettings(**values))
        await service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        await service.stop()


@pytest.fixture
async def notifier(start_notifier: StartNotifier) -> Service:
    return await start_notifier()


def example_context(template: str) -> dict[str, Any]:
    return dict(EMAIL_CONTEXTS[template].model_config["json_schema_extra"]["examples"][0])


def email_request(*, key: str | None = None, to: str = "claire.durand@example.fr",
                  template: str = "account_verification", context: dict[str, Any] | None = None,
                  account_id: uuid.UUID | None = None) -> EmailRequested:
    return EmailRequested.new(
        EmailRequestedData(idempotency_key=key or f"test:{uuid.uuid4()}", template=template, to=to,
                           account_id=account_id,
                           context=example_context(template) if context is None else context),
        producer="registration", occurred_at=SystemClock().now(),
    )
