"""Pytest fixtures shared by every suite (loaded as a plugin from pytest.ini)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from .amqp import AmqpProbe
from .infra import DatabaseFactory, create_vhost, delete_vhost
from .smtp import SmtpSink
from .tokens import TokenIssuer


@pytest.fixture(scope="session")
async def databases() -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory()
    yield factory
    await factory.drop_all()


@pytest.fixture
def vhost() -> Iterator[str]:
    """The AMQP URL of a vhost of this test's own."""
    name, url = create_vhost()
    yield url
    delete_vhost(name)


@pytest.fixture
async def amqp(vhost: str) -> AsyncIterator[AmqpProbe]:
    async with AmqpProbe(vhost) as probe:
        yield probe


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def issuer() -> Iterator[TokenIssuer]:
    token_issuer = TokenIssuer()
    token_issuer.start()
    yield token_issuer
    token_issuer.stop()
