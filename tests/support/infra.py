"""Isolated real infrastructure per test: a RabbitMQ vhost, PostgreSQL databases cloned from migrated templates."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from pathlib import Path

import asyncpg

from activateurs.shared import migrations
from activateurs.shared.db import drop_database, ensure_database_exists

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"
AMQP = "amqp://guest:guest@127.0.0.1:5672"


def rabbitmqctl(*args: str, timeout: float = 120) -> str:
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def create_vhost() -> tuple[str, str]:
    """A fresh vhost for one test, so runs and tests never see each other's queues."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    return name, f"{AMQP}/{name}"


def delete_vhost(name: str) -> None:
    rabbitmqctl("delete_vhost", name)


def queue_details(vhost: str) -> dict[str, dict[str, str]]:
    """name -> {type, arguments, messages} as RabbitMQ reports them."""
    out = rabbitmqctl("list_queues", "-q", "-p", vhost, "--formatter", "json",
                      "name", "type", "arguments", "messages")
    queues = {queue["name"]: queue for queue in json.loads(out or "[]")}
    for queue in queues.values():
        if isinstance(queue["arguments"], list):  # rabbitmqctl gives [[key, type, value], ...]
            queue["arguments"] = {entry[0]: entry[-1] for entry in queue["arguments"]}
    return queues


def restart_rabbitmq_app(down_seconds: float) -> None:
    rabbitmqctl("stop_app")
    try:
        time.sleep(down_seconds)
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")


class DatabaseFactory:
    """Migrates one template database per service once, then clones it (fast) for each test."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        self._templates: dict[str, str] = {}
        self._created: list[str] = []
        self._lock = asyncio.Lock()

    async def template(self, service: str) -> str:
        async with self._lock:
            if service not in self._templates:
                name = f"tmpl_{service.replace('-', '_')}_{self.run_id}"
                url = f"{POSTGRES}/{name}"
                await ensure_database_exists(url)
                await asyncio.to_thread(migrations.upgrade, ROOT / "services" / service / "alembic.ini", url)
                self._templates[service] = name
                self._created.append(url)
            return self._templates[service]

    async def fresh(self, service: str) -> str:
        template = await self.template(service)
        name = f"test_{service.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        url = f"{POSTGRES}/{name}"
        self._created.append(url)
        return url

    def unborn(self, service: str) -> str:
        """The URL of a database that does not exist yet (dropped at the end if something creates it)."""
        url = f"{POSTGRES}/test_{service.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
        self._created.append(url)
        return url

    async def drop_all(self) -> None:
        for url in reversed(self._created):
            await drop_database(url)
        self._created.clear()
