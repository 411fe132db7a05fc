"""The `site` fixture: the platform and the web frontend, shared by the tests of a module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.infra import create_vhost, delete_vhost

from .site import Site


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    running = item.funcargs.get("site") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Site):
        report.sections.append(("service logs", running.platform.logs_summary()))
        report.sections.append(("web log", running.log_text()[-3000:]))
    return report


@pytest.fixture(scope="module")
async def site(databases, tmp_path_factory, request) -> AsyncIterator[Site]:
    """One site per test module (six processes and two published structures); each test uses its own people."""
    name, vhost = create_vhost()
    try:
        async with Site(databases, vhost, tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])) \
                as running:
            yield running
    finally:
        delete_vhost(name)
