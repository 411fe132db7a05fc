"""Private RabbitMQ and PostgreSQL instances on loopback, which fault tests may restart without touching the shared ones."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from activateurs.shared import migrations
from activateurs.shared.db import ensure_database_exists

from .infra import ROOT
from .smtp import free_port

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")  # the real scripts: /usr/sbin's wrappers switch to the system node's user
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _run(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}"
                           f" {result.stdout.strip()}")
    return result.stdout


class PrivateRabbit:
    """A RabbitMQ node of its own (name, ports, data, Erlang cookie), started detached; guest from loopback."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.node = f"faults-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        base.mkdir(parents=True, exist_ok=True)
        # Own config and env files: the system ones pin the node name and port 5672.
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            "vm_memory_high_watermark.relative = 0.2\n"
            "disk_free_limit.absolute = 50MB\n")
        (base / "rabbitmq-env.conf").write_text("")
        (base / "enabled_plugins").write_text("[].\n")
        self.env = {
            **os.environ,
            "HOME": str(base),  # the Erlang cookie of this node and of its rabbitmqctl
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(base / "node.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def url(self, vhost: str = "") -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{vhost}"

    def ctl(self, *args: str, timeout: float = 120) -> str:
        return _run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, *args], env=self.env, timeout=timeout)

    def start(self) -> None:
        (self.base / "node.pid").unlink(missing_ok=True)  # a stale one would let `wait` pass at once
        _run([str(RABBIT_BIN / "rabbitmq-server"), "-detached"], env=self.env)
        self.await_startup()

    def await_startup(self) -> None:
        # The pid file appears once the VM runs; await_startup then waits for the boot to finish.
        deadline = time.monotonic() + 120
        while not (self.base / "node.pid").exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"private RabbitMQ did not start; see {self.base / 'log'}")
            time.sleep(0.2)
        self.ctl("wait", str(self.base / "node.pid"), "--timeout", "120", timeout=150)
        self.ctl("await_startup", "--timeout", "120", timeout=150)

    def stop(self) -> None:
        """Stop the whole node (the Erlang VM exits): every connection drops, only durable state survives."""
        self.ctl("stop", str(self.base / "node.pid"), timeout=150)

    def restart(self, down_seconds: float) -> None:
        self.stop()
        try:
            time.sleep(down_seconds)
        finally:
            self.start()

    def add_vhost(self) -> str:
        name = f"faults-{uuid.uuid4().hex[:10]}"
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return name

    def delete_vhost(self, name: str) -> None:
        self.ctl("delete_vhost", name)

    def queue_messages(self, vhost: str) -> dict[str, int]:
        """Ready messages per queue of `vhost`."""
        out = self.ctl("list_queues", "-q", "-p", vhost, "--formatter", "json", "name", "messages")
        return {queue["name"]: int(queue["messages"] or 0) for queue in json.loads(out or "[]")}


class PrivatePostgres:
    """A PostgreSQL 15 cluster of its own (trust auth, loopback, own socket dir), run as the `postgres` user."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data = base / "data"
        self.sockets = base / "sockets"
        self.log = base / "postgres.log"
        self.port = free_port()
        self._templates: dict[str, str] = {}
        self._lock = asyncio.Lock()

    def _as_postgres(self, *args: str, timeout: float = 120) -> str:
        return _run(["runuser", "-u", "postgres", "--", *args], timeout=timeout)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        for folder in (self.base, self.sockets):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.chown(folder, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")
        # fsync off: a stopped or killed server (not a machine crash) loses nothing, and the run is faster.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = "
                       f"'{self.sockets}'\nfsync = off\nmax_connections = 300\nshared_buffers = 64MB\n")

    def _pg_ctl(self, *args: str) -> str:
        return self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args)

    def start(self) -> None:
        self._pg_ctl("start", "-w", "-t", "120")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-t", "120", "-m", mode)

    def restart(self, down_seconds: float, mode: str = "immediate") -> None:
        """Stop (by default as a crash: connections cut, recovery at start), wait, start again."""
        self.stop(mode)
        try:
            time.sleep(down_seconds)
        finally:
            self.start()

    async def connect(self, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(host="127.0.0.1", port=self.port, user="postgres", database=database)

    async def fresh(self, service: str) -> str:
        """A migrated database of `service`, cloned from a template migrated once."""
        async with self._lock:
            if service not in self._templates:
                name = f"tmpl_{service.replace('-', '_')}"
                await ensure_database_exists(self.url(name))
                await asyncio.to_thread(migrations.upgrade, ROOT / "services" / service / "alembic.ini",
                                        self.url(name))
                self._templates[service] = name
        name = f"faults_{service.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
        conn = await self.connect()
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._templates[service]}"')
        finally:
            await conn.close()
        return self.url(name)


def private_base(prefix: str) -> Path:
    """A temp folder the `postgres` and root users can both reach."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    return base
