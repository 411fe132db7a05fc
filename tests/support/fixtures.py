"""Pytest fixtures shared by every suite (loaded as a plugin from pytest.ini)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from .amqp import AmqpProbe
from .infra import DatabaseFactory, create_vhost, delete_vhost
from .smtp import SmtpSink
from .tokens import TokenIssuer


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # only called when pytest-xdist runs (`-n`)
    """`--dist loadgroup`: the groups of tests/support/scheduling.py (xdist's own reads marks pytest 9 hides)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from .scheduling import GroupScheduling
    return GroupScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput") and config.getvalue("dist") == "loadgroup":  # an xdist worker
        from .scheduling import order_for_workers
        order_for_workers(items)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "serial: touches state shared by the whole machine (stops the shared "
                            "RabbitMQ, ...): run alone, in `make test`'s second, serial pytest run")


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
