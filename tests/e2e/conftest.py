"""The `platform` fixture: the five services as real processes, wired together, shared by the tests of a module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.infra import create_vhost, delete_vhost
from tests.support.platform import Platform


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # A failing test shows where every service logged, and their last lines.
    report = yield
    running = item.funcargs.get("platform") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Platform):
        report.sections.append(("service logs", running.logs_summary()))
    return report


@pytest.fixture(scope="module")
async def platform(databases, tmp_path_factory, request) -> AsyncIterator[Platform]:
    """One platform per test module (starting five processes is the slow part); each test uses its own people."""
    name, vhost = create_vhost()
    try:
        async with Platform(databases, vhost, tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])) \
                as running:
            yield running
    finally:
        delete_vhost(name)
