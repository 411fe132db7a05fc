"""Isolated real infrastructure per test: a RabbitMQ vhost, PostgreSQL databases cloned from migrated templates."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
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


def _add_vhosts(names: list[str]) -> None:
    """Create `names` with guest's full permissions in ONE rabbitmqctl call (each call starts an Erlang VM: ~1 s)."""
    definitions = {"vhosts": [{"name": name} for name in names],
                   "permissions": [{"user": "guest", "vhost": name, "configure": ".*", "write": ".*", "read": ".*"}
                                   for name in names]}
    result = subprocess.run(["rabbitmqctl", "import_definitions", "-q", "--format", "json"],
                            input=json.dumps(definitions), capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl import_definitions failed: {result.stderr.strip()}")


def _delete_vhosts(names: list[str]) -> None:
    """Delete `names` in one call when the node lets us (rabbit_vhost:delete/2), else one call each."""
    if not names:
        return
    listed = ",".join(f'<<"{name}">>' for name in names)
    try:
        out = rabbitmqctl("eval", f'[rabbit_vhost:delete(V, <<"tests">>) || V <- [{listed}]].')
        if "".join(out.split()) == "[" + ",".join(["ok"] * len(names)) + "]":
            return
    except RuntimeError:
        pass
    existing = set(rabbitmqctl("list_vhosts", "-q").split())
    for name in names:
        if name in existing:
            rabbitmqctl("delete_vhost", name)


def _vhost_name() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def create_vhost() -> tuple[str, str]:
    """A fresh vhost for one test, so runs and tests never see each other's queues."""
    name = _vhost_name()
    _add_vhosts([name])
    return name, f"{AMQP}/{name}"


def delete_vhost(name: str) -> None:
    rabbitmqctl("delete_vhost", name)


class VhostPool:
    """Fresh vhosts handed out one per test, created and deleted in batches.

    A vhost is never handed out twice: `take()` gives one nobody used, `give_back()` queues it for deletion.
    Batching only saves rabbitmqctl start-ups (3 per test otherwise, ~1 s of CPU each).
    """

    def __init__(self, batch: int = 16) -> None:
        self.batch = batch
        self._ready: list[str] = []
        self._used: list[str] = []
        self._lock = threading.Lock()

    def take(self) -> tuple[str, str]:
        with self._lock:
            if not self._ready:
                names = [_vhost_name() for _ in range(self.batch)]
                _add_vhosts(names)
                self._ready = names
            name = self._ready.pop()
        return name, f"{AMQP}/{name}"

    def give_back(self, name: str) -> None:
        with self._lock:
            self._used.append(name)
            if len(self._used) < self.batch:
                return
            used, self._used = self._used, []
        _delete_vhosts(used)

    def close(self) -> None:
        with self._lock:
            names, self._ready, self._used = self._ready + self._used, [], []
        _delete_vhosts(names)


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
