"""The five services as real processes for one test: fresh databases, one vhost, an SMTP sink, registration's tokens."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from .infra import DatabaseFactory
from .processes import BIN, ServiceProcess
from .smtp import ReceivedMail, SmtpSink, free_port
from .waiting import eventually

SERVICES = ("registration", "validation", "directory", "contact-relay", "notifier")
PUBLIC_BASE_URL = "https://activateurs.e2e.test"
TEMPLATE_HEADER = "X-Activateurs-Template"
DGE_EMAIL = "agent.e2e@dge.gouv.fr"
DGE_PASSWORD = "a long DGE password for e2e"

# Fast enough for a test: cheap password hashing, short polling intervals. Every value is a real setting.
FAST = {
    "ENVIRONMENT": "test", "LOG_LEVEL": "INFO", "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "OUTBOX_POLL_INTERVAL": "0.2",
    "REGISTRATION_ARGON2_TIME_COST": "1", "REGISTRATION_ARGON2_MEMORY_KIB": "8192",
    "REGISTRATION_ARGON2_PARALLELISM": "1",
    "VALIDATION_DEADLINE_POLL_SECONDS": "1", "DIRECTORY_COUNTERS_FLUSH_SECONDS": "0.5",
    "CONTACT_RELAY_SWEEP_INTERVAL_SECONDS": "1", "CONTACT_RELAY_ACK_TOKEN_SECRET": "e2e-acknowledgement-link-secret",
    "NOTIFIER_IDLE_POLL_SECONDS": "0.1", "NOTIFIER_BACKOFF_BASE_SECONDS": "0.5", "NOTIFIER_BACKOFF_MAX_SECONDS": "2",
    "SMTP_TLS": "none",
}


class Platform:
    """`async with Platform(databases, vhost, tmp_path) as platform:` — every service up and ready.

    `env` goes to every process, `service_env[name]` to one; `restart(name, **env)` restarts one process with
    different settings on the same port and database. On failure the log files' paths are printed.
    """

    def __init__(self, databases: DatabaseFactory, vhost: str, log_dir: Path, *, env: Mapping[str, str] | None = None,
                 service_env: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._databases = databases
        self.vhost = vhost
        self.log_dir = log_dir
        self.smtp = SmtpSink()
        self.ports = {name: free_port() for name in SERVICES}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        self.database_urls: dict[str, str] = {}
        self._env = dict(env or {})
        self.public_base_url = self._env.get("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
        self._service_env = {name: dict(values) for name, values in (service_env or {}).items()}
        self.processes: dict[str, ServiceProcess] = {}
        self._clients: dict[str, httpx.AsyncClient] = {}

    # --- life cycle ---------------------------------------------------------------------------------------------

    def env_for(self, name: str) -> dict[str, str]:
        registration = self.urls["registration"]
        return {
            **FAST, "RABBITMQ_URL": self.vhost, "DATABASE_URL": self.database_urls[name],
            # Registration issues the tokens; every service (registration included) trusts its JWKS.
            "JWKS_URL": f"{registration}/.well-known/jwks.json", "JWT_ISSUER": registration,
            "JWT_AUDIENCE": "activateurs",
            "VALIDATION_DOCUMENT_URL": f"{registration}/api/v1/dossier/documents/{{document_id}}",
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port),
            **self._env, **self._service_env.get(name, {}),
        }

    async def start(self) -> None:
        self.smtp.start()
        for name in SERVICES:
            self.database_urls[name] = await self._databases.fresh(name)
        for name in SERVICES:
            self.processes[name] = self._process(name)
            self.processes[name].start()
        # The DGE agent's account is made by the command line while the services boot (it only needs the database).
        await asyncio.gather(self.create_dge_account(DGE_EMAIL, DGE_PASSWORD),
                             *(asyncio.to_thread(p.wait_ready, 120) for p in self.processes.values()))

    def _process(self, name: str) -> ServiceProcess:
        return ServiceProcess(name, port=self.ports[name], env=self.env_for(name), log_dir=self.log_dir)

    async def restart(self, name: str, **env: str) -> None:
        """Stop one service and start it again, on its port and database, with `env` added to its settings."""
        await asyncio.to_thread(self.processes[name].stop)
        self._service_env.setdefault(name, {}).update(env)
        self.processes[name] = self._process(name)
        self.processes[name].start()
        await asyncio.to_thread(self.processes[name].wait_ready, 120)

    async def stop(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        await asyncio.gather(*(asyncio.to_thread(p.stop) for p in self.processes.values()))
        self.smtp.stop()

    async def __aenter__(self) -> Platform:
        try:
            await self.start()
        except BaseException:
            self.report_logs()
            await self.stop()
            raise
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if kind is not None:
            self.report_logs()
        await self.stop()

    def log_paths(self) -> dict[str, Path]:
        return {name: self.log_dir / f"{name}-{port}.log" for name, port in self.ports.items()}

    def log_text(self, name: str) -> str:
        path = self.log_paths()[name]
        return path.read_text(errors="replace") if path.exists() else ""

    def logs_summary(self, tail: int = 10) -> str:
        """Where each process logs, with its last lines: what a failing test shows."""
        lines = []
        for name, path in self.log_paths().items():
            lines.append(f"{name:<13} {path}")
            lines += [f"    {line[:300]}" for line in self.log_text(name).splitlines()[-tail:]]
        return "\n".join(lines)

    def report_logs(self) -> None:
        print("\nservice logs:\n" + self.logs_summary(), file=sys.stderr)

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def client(self, name: str) -> httpx.AsyncClient:
        if name not in self._clients:
            self._clients[name] = httpx.AsyncClient(base_url=self.urls[name], timeout=30)
        return self._clients[name]

    @property
    def registration(self) -> httpx.AsyncClient:
        return self.client("registration")

    @property
    def validation(self) -> httpx.AsyncClient:
        return self.client("validation")

    @property
    def directory(self) -> httpx.AsyncClient:
        return self.client("directory")

    @property
    def contact_relay(self) -> httpx.AsyncClient:
        return self.client("contact-relay")

    @property
    def notifier(self) -> httpx.AsyncClient:
        return self.client("notifier")

    # --- accounts -----------------------------------------------------------------------------------------------

    async def create_dge_account(self, email: str, password: str, *, admin: bool = False,
                                 dreets_region: str | None = None, first_name: str = "",
                                 last_name: str = "") -> None:
        """Registration's own command line, against its database (the only way DGE accounts are made); with
        `dreets_region`, a DREETS agent of that region instead (read-only)."""
        command = [str(BIN / "activateurs-registration"), "create-dge-account", "--email", email,
                   "--first-name", first_name, "--last-name", last_name]
        if admin:
            command.append("--admin")
        if dreets_region:
            command += ["--dreets-region", dreets_region]
        done = await asyncio.to_thread(subprocess.run, command, input=password + "\n", capture_output=True,
                                       text=True, env={**os.environ, **self.env_for("registration")}, timeout=120)
        assert done.returncode == 0, f"create-dge-account failed: {done.stderr.strip()}"

    async def dge_headers(self) -> dict[str, str]:
        """Bearer headers of the DGE agent made at start-up (roles dge_agent)."""
        return await self.login(DGE_EMAIL, DGE_PASSWORD)

    async def login(self, email: str, password: str) -> dict[str, str]:
        """Bearer headers of a fresh token (a token taken after acceptance carries the structure id)."""
        answer = await self.registration.post("/api/v1/auth/token", data={"username": email, "password": password})
        assert answer.status_code == 200, f"login of {email}: {answer.status_code} {answer.text}"
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    # --- mails ----------------------------------------------------------------------------------------------------

    def mails(self, to: str, template: str | None = None) -> list[ReceivedMail]:
        return [mail for mail in self.smtp.mails
                if to.lower() in (r.lower() for r in mail.recipients)
                and (template is None or mail.message[TEMPLATE_HEADER] == template)]

    async def mail(self, to: str, template: str, *, count: int = 1, timeout: float = 60) -> ReceivedMail:
        """The `count`-th mail of `template` to `to`, waiting for it."""
        found = await eventually(lambda: len(self.mails(to, template)) >= count and self.mails(to, template),
                                 timeout=timeout, interval=0.1, what=f"mail {template} #{count} to {to}")
        return found[count - 1]


def text_of(mail: ReceivedMail) -> str:
    return mail.part("text/plain")


def link_in(mail: ReceivedMail, path: str, base_url: str = PUBLIC_BASE_URL) -> str:
    """The first link of the mail's text to the frontend whose path starts with `path` (e.g. "/verification")."""
    match = re.search(re.escape(base_url + path) + r"[^\s<>\"')\]]*", text_of(mail))
    assert match, f"no {path} link in the mail:\n{text_of(mail)}"
    return match.group(0)
