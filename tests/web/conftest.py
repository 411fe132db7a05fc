"""The `site` fixture: the platform and the web frontend, shared by the tests of a module; `browser`, a Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.support.infra import create_vhost, delete_vhost

from .browser import chromium
from .site import Site


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    running = item.funcargs.get("site") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Site):
        report.sections.append(("service logs", running.platform.logs_summary()))
        report.sections.append(("web log", running.log_text()[-3000:]))
    return report


@pytest.fixture(scope="session")
async def site(databases, tmp_path_factory) -> AsyncIterator[Site]:
    """One site for every browser and page test (six processes and two published structures take ~40 s to
    bring up); each test makes its own people and requests, so none depends on another's."""
    name, vhost = create_vhost()
    try:
        async with Site(databases, vhost, tmp_path_factory.mktemp("web-site")) as running:
            yield running
    finally:
        delete_vhost(name)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium (tests/web/browser.py), one for the tests of a module."""
    async with chromium() as running:
        yield running
