"""Fixtures of the faults suite: a private broker and database server (restartable), a vhost, a stack of services."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.amqp import AmqpProbe
from tests.support.flows_faults import Stack, declare_tap
from tests.support.private_infra import PrivatePostgres, PrivateRabbit, private_base


@pytest.fixture(scope="session")
def private_rabbit() -> Iterator[PrivateRabbit]:
    rabbit = PrivateRabbit(private_base("faults-rabbit-"))
    rabbit.start()
    yield rabbit
    try:
        rabbit.stop()
    finally:
        shutil.rmtree(rabbit.base, ignore_errors=True)


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres(private_base("faults-pg-"))
    postgres.init()
    postgres.start()
    yield postgres
    try:
        postgres.stop()
    finally:
        shutil.rmtree(postgres.base, ignore_errors=True)


@pytest.fixture
def faults_vhost(private_rabbit: PrivateRabbit) -> Iterator[str]:
    name = private_rabbit.add_vhost()
    yield private_rabbit.url(name)
    private_rabbit.delete_vhost(name)


@pytest.fixture
async def probe(faults_vhost: str) -> AsyncIterator[AmqpProbe]:
    async with AmqpProbe(faults_vhost) as amqp_probe:
        yield amqp_probe


@pytest.fixture
async def stack(private_rabbit, private_postgres, faults_vhost, issuer, smtp, tmp_path) -> AsyncIterator[Stack]:
    await declare_tap(faults_vhost)
    services = Stack(private_rabbit, private_postgres, faults_vhost, issuer, smtp, tmp_path)
    yield services
    services.stop()
