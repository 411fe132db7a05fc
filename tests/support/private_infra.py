"""Private RabbitMQ and PostgreSQL instances on loopback, which fault tests may restart without touching the shared ones."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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


def _running(pid: int, node: str) -> bool:
    """Process `pid` is `node`'s Erlang VM and is not a zombie (a detached VM is not our child: we cannot reap it).

    Checking its environment means a pid the system has since handed to another process is never signalled.
    """
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X") and f"RABBITMQ_NODENAME={node}".encode() in environment


class PrivateRabbit:
    """A RabbitMQ node of its own (name, ports, data, Erlang cookie), started detached; guest from loopback.

    `home` holds the Erlang cookie (the node's own folder by default; a cluster's nodes share one), `config`
    adds lines to its rabbitmq.conf and `advanced` is its advanced.config (Erlang terms), if any.
    """

    def __init__(self, base: Path, *, node: str | None = None, home: Path | None = None, config: str = "",
                 advanced: str | None = None) -> None:
        self.base = base
        self.node = node or f"faults-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.pid: int | None = None  # the Erlang VM's OS process, once started
        self.up = False  # RabbitMQ runs in the node (set by start/start_app, cleared by stop/stop_app/kill)
        base.mkdir(parents=True, exist_ok=True)
        # Own config and env files: the system ones pin the node name and port 5672.
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            "vm_memory_high_watermark.relative = 0.2\n"
            "disk_free_limit.absolute = 50MB\n" + config)
        (base / "rabbitmq-env.conf").write_text("")
        (base / "enabled_plugins").write_text("[].\n")
        (base / "advanced.config").write_text(advanced or "[].\n")
        self.env = {
            **os.environ,
            "HOME": str(home or base),  # the Erlang cookie of this node and of its rabbitmqctl
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
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
        self.pid = int((self.base / "node.pid").read_text().strip())
        self.up = True

    def stop(self) -> None:
        """Stop the whole node (the Erlang VM exits): every connection drops, only durable state survives."""
        self.up = False
        self.ctl("stop", str(self.base / "node.pid"), timeout=150)

    def restart(self, down_seconds: float) -> None:
        self.stop()
        try:
            time.sleep(down_seconds)
        finally:
            self.start()

    def kill(self) -> None:
        """SIGKILL the node's Erlang VM: no shutdown code runs, its peers and clients see it vanish."""
        assert self.pid is not None and _running(self.pid, self.node), f"{self.node} does not run"
        self.up = False
        os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _running(self.pid, self.node):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.node} (pid {self.pid}) still runs 30 s after SIGKILL")
            time.sleep(0.05)

    def stop_app(self) -> None:
        """Stop RabbitMQ inside the node (its VM stays up and clustered): its clients are disconnected."""
        self.up = False
        self.ctl("stop_app", timeout=150)

    def start_app(self) -> None:
        self.ctl("start_app", timeout=150)  # returns once the application has booted
        self.up = True

    def discard(self) -> None:
        """Clean-up of a node whose data is thrown away, whatever its state: its VM killed if it runs."""
        self.up = False
        pid_file = self.base / "node.pid"
        pid = self.pid or (int(pid_file.read_text().strip() or 0) if pid_file.exists() else 0)
        if pid and _running(pid, self.node):
            os.kill(pid, signal.SIGKILL)

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


# As deploy/k8s/base/rabbitmq.yaml's rabbitmq.conf: a minority pauses rather than diverging; the leaders of new
# quorum queues are spread over the nodes.
CLUSTER_CONFIG = "cluster_partition_handling = pause_minority\nqueue_leader_locator = balanced\n"
# Quorum queues get a replica on three nodes. 3 is RabbitMQ's default already (3.x and 4.x), set here so the test does
# not depend on it; RabbitMQ 3.10 has it only as this application setting (no rabbitmq.conf key, no policy key), and
# the services do not declare `x-quorum-initial-group-size`.
QUORUM_SIZE = "[{rabbit, [{quorum_cluster_size, 3}]}].\n"


class PrivateRabbitCluster:
    """`size` PrivateRabbit nodes sharing one Erlang cookie, joined into one cluster, behind an HAProxy of their own.

    The services get the proxy's one address, as they get the `rabbitmq` Service's in Kubernetes, and reach the nodes
    that are up. The methods the faults fixtures call on a PrivateRabbit (url, add_vhost, ...) work the same here.
    """

    def __init__(self, base: Path, size: int = 3) -> None:
        self.base = base
        home = base / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        cookie.write_text(uuid.uuid4().hex.upper())
        cookie.chmod(0o400)
        prefix = f"faults-{uuid.uuid4().hex[:6]}"
        self.nodes = [PrivateRabbit(base / f"node{index}", node=f"{prefix}-{index}@localhost", home=home,
                                    config=CLUSTER_CONFIG, advanced=QUORUM_SIZE) for index in range(1, size + 1)]
        self.proxy = HaProxy(base / "haproxy", [node.port for node in self.nodes])

    def start(self) -> None:
        """Boot the nodes side by side, join each to the first (stop_app, join_cluster, start_app), start the proxy."""
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            list(pool.map(lambda node: node.start(), self.nodes))
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.stop_app()
            node.ctl("join_cluster", first.node)
            node.start_app()
        running = self.running_nodes()
        if sorted(running) != sorted(node.node for node in self.nodes):
            raise RuntimeError(f"the cluster runs {running}, not its {len(self.nodes)} nodes")
        self.proxy.start()

    def discard(self) -> None:
        """Clean-up, whatever state it is in: the proxy stopped, every node's VM killed (the data is thrown away)."""
        try:
            self.proxy.stop()
        finally:
            for node in self.nodes:
                node.discard()

    def node(self, name: str) -> PrivateRabbit:
        return next(node for node in self.nodes if node.node == name)

    def live(self) -> PrivateRabbit:
        """A node RabbitMQ runs in, to ask about the cluster."""
        return next(node for node in self.nodes if node.up)

    def url(self, vhost: str = "") -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.proxy.port}/{vhost}"

    def running_nodes(self) -> list[str]:
        return json.loads(self.live().ctl("cluster_status", "--formatter", "json"))["running_nodes"]

    def add_vhost(self) -> str:
        return self.live().add_vhost()

    def delete_vhost(self, name: str) -> None:
        self.live().delete_vhost(name)

    def queue_messages(self, vhost: str) -> dict[str, int]:
        return self.live().queue_messages(vhost)

    def connections(self, vhost: str) -> dict[str, int]:
        """Node name -> the AMQP connections to `vhost` it holds (through the proxy, clients do not choose)."""
        out = self.live().ctl("list_connections", "-q", "--formatter", "json", "vhost", "port")
        by_port = {node.port: node.node for node in self.nodes}
        counts = {node.node: 0 for node in self.nodes}
        for connection in json.loads(out or "[]"):
            if connection["vhost"] == vhost:
                counts[by_port[int(connection["port"])]] += 1
        return counts

    def quorum_queues(self, vhost: str) -> dict[str, dict]:
        """name -> {leader, members, online, messages} of every quorum queue of `vhost`."""
        out = self.live().ctl("list_queues", "-q", "-p", vhost, "--formatter", "json",
                              "name", "type", "leader", "members", "online", "messages")
        return {queue["name"]: queue for queue in json.loads(out or "[]") if queue["type"] == "quorum"}


class HaProxy:
    """Debian's HAProxy on a free loopback port, TCP, in front of `backends` (loopback ports), round robin over the
    ones that pass a connect check every 500 ms; a backend marked down has its sessions closed at once."""

    def __init__(self, base: Path, backends: list[int]) -> None:
        self.base = base
        self.backends = backends
        self.port = free_port()
        self.log = base / "haproxy.log"
        self._process: subprocess.Popen[bytes] | None = None

    def config(self) -> str:
        servers = "".join(f"    server node{index} 127.0.0.1:{port}\n" for index, port in enumerate(self.backends, 1))
        return ("global\n    maxconn 2000\n    log stdout format raw local0 info\n"
                "defaults\n    mode tcp\n    log global\n    option tcplog\n    timeout connect 2s\n"
                # Longer than AMQP's heartbeat: an idle connection is the broker's to close, not the proxy's.
                "    timeout client 10m\n    timeout server 10m\n    timeout check 1s\n"
                f"frontend amqp\n    bind 127.0.0.1:{self.port}\n    default_backend rabbitmq\n"
                "backend rabbitmq\n    balance roundrobin\n"
                "    default-server check inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions\n" + servers)

    def start(self) -> None:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            raise RuntimeError("haproxy is missing: `make haproxy` installs Debian's")
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "haproxy.cfg").write_text(self.config())
        log = self.log.open("ab")
        self._process = subprocess.Popen([binary, "-db", "-f", str(self.base / "haproxy.cfg")], stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 15
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"haproxy exited ({self._process.returncode}): {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"haproxy does not listen on {self.port}; see {self.log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)


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
