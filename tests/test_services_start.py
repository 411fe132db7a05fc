"""Every service starts with its real command on an empty database: creates it, migrates, serves, stops cleanly."""

from __future__ import annotations

import asyncio
import re
import signal

import httpx
import pytest
import sqlalchemy as sa

from activateurs.shared.db import Database
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port


@pytest.mark.parametrize("service", ["registration", "validation", "directory", "contact-relay", "notifier"])
async def test_service_starts_migrates_answers_and_stops(service, databases, vhost, tmp_path):
    database_url = databases.unborn(service)
    process = ServiceProcess(service, port=free_port(), log_dir=tmp_path,
                             env={"DATABASE_URL": database_url, "RABBITMQ_URL": vhost, "SMTP_PORT": "1"})
    process.start()
    try:
        await asyncio.to_thread(process.wait_ready)
        async with httpx.AsyncClient(base_url=process.url, timeout=5) as client:
            ready = (await client.get("/health/ready")).json()
            assert ready == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "consumers": "ok",
                                                        "background": "ok"}}
            assert (await client.get("/health/live")).status_code == 200
            assert (await client.get("/openapi.json")).json()["info"]["title"] == f"activateurs-{service}"
            assert (await client.get("/asyncapi.json")).json()["info"]["title"] == f"activateurs-{service}"
            assert "http_requests_total" in (await client.get("/metrics")).text
            assert (await client.get("/no/such/path")).status_code == 404
        db = Database(database_url)
        try:
            async with db.sessions() as session:
                tables = set((await session.execute(sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).scalars())
        finally:
            await db.dispose()
        assert {"outbox", "inbox", "alembic_version"} <= tables
    finally:
        code = await asyncio.to_thread(process.stop)
    # uvicorn re-raises the SIGTERM it handled once shut down, so that status is a clean stop too.
    assert code in (0, -signal.SIGTERM), process.log_text()[-2000:]
    assert "Application shutdown complete" in process.log_text()
    assert '"level": "ERROR"' not in process.log_text(), process.log_text()[-2000:]
    assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - ", process.log_text()), "client addresses in the logs"
