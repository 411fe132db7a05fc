"""`make run`: databases, migrations, the five services, the web and a mail sink, in the foreground until Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mailsink import MailSink  # noqa: E402

from activateurs.shared.db import ensure_database_exists  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    # The web frontend has none: it only calls the five APIs.
    has_database: bool = True

    @property
    def env_prefix(self) -> str:
        return self.name.replace("-", "_").upper()

    def http_port(self, env: dict[str, str]) -> int:
        """<SERVICE>_HTTP_PORT (e.g. WEB_HTTP_PORT) if set, else the port of CONTRACTS.md."""
        return int(env.get(f"{self.env_prefix}_HTTP_PORT") or self.port)


SERVICES = (ServiceSpec("registration", 8001), ServiceSpec("validation", 8002), ServiceSpec("directory", 8003),
            ServiceSpec("contact-relay", 8004), ServiceSpec("notifier", 8005))
WEB = ServiceSpec("web", 8000, has_database=False)
PROCESSES = (*SERVICES, WEB)


def database_url(spec: ServiceSpec) -> str:
    """<SERVICE>_DATABASE_URL if set, else one database per service on POSTGRES_URL's server."""
    server = os.environ.get("POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432").rstrip("/")
    return os.environ.get(f"{spec.env_prefix}_DATABASE_URL") or f"{server}/activateurs_{spec.env_prefix.lower()}"


async def pipe_output(name: str, stream: asyncio.StreamReader) -> None:
    width = max(len(s.name) for s in PROCESSES)
    while line := await stream.readline():
        sys.stdout.write(f"{name:>{width}} | {line.decode(errors='replace')}")
        sys.stdout.flush()


async def wait_ready(spec: ServiceSpec, port: int, process: asyncio.subprocess.Process, timeout: float = 120) -> None:
    url = f"http://127.0.0.1:{port}/health/ready"
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(int(timeout * 4)):
            if process.returncode is not None:
                raise SystemExit(f"{spec.name} exited with code {process.returncode} during start-up")
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    raise SystemExit(f"{spec.name} was not ready after {timeout}s")


async def main() -> int:
    env = dict(os.environ)
    sink = None
    if not env.get("SMTP_HOST"):
        sink = MailSink(ROOT / "var" / "mail", smtp_port=int(env.get("MAILSINK_SMTP_PORT", 1025)),
                        http_port=int(env.get("MAILSINK_HTTP_PORT", 8025)))
        sink.start()
        env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.smtp_port), SMTP_TLS="none")
    ports = {spec.name: spec.http_port(env) for spec in PROCESSES}
    # Every link in an email points at the web frontend started below.
    if not env.get("PUBLIC_BASE_URL"):
        env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{ports[WEB.name]}"
    # The web calls the five APIs where this script starts them (WEB_<SERVICE>_URL, unless set).
    for spec in SERVICES:
        env.setdefault(f"WEB_{spec.env_prefix}_URL", f"http://127.0.0.1:{ports[spec.name]}")

    processes: dict[str, asyncio.subprocess.Process] = {}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for spec in PROCESSES:
            service_env = {**env, "HTTP_PORT": str(ports[spec.name])}
            if spec.has_database:
                url = database_url(spec)
                if await ensure_database_exists(url):
                    print(f"created database for {spec.name}")
                service_env["DATABASE_URL"] = url
            process = await asyncio.create_subprocess_exec(
                str(BIN / f"activateurs-{spec.name}"), "serve", env=service_env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
            processes[spec.name] = process
            asyncio.create_task(pipe_output(spec.name, process.stdout))
        await asyncio.gather(*(wait_ready(spec, ports[spec.name], processes[spec.name]) for spec in PROCESSES))
        print("\nActivateurs is running:")
        site = f"http://127.0.0.1:{ports[WEB.name]}"
        links = "" if env["PUBLIC_BASE_URL"] == site else f"   links in mails {env['PUBLIC_BASE_URL']}"
        print(f"  {'web (site)':<13} {site}   health {site}/health/ready{links}")
        for spec in SERVICES:
            base = f"http://127.0.0.1:{ports[spec.name]}"
            print(f"  {spec.name:<13} {base}   docs {base}/docs   health {base}/health/ready")
        if sink:
            print(f"  mail sink     smtp://127.0.0.1:{sink.smtp_port}   mails http://127.0.0.1:{sink.http_port}"
                  f"   files {sink.folder}")
        print("Ctrl-C stops everything.\n", flush=True)
        exited = [asyncio.create_task(p.wait()) for p in processes.values()]
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopper, *exited], return_when=asyncio.FIRST_COMPLETED)
        if stopper not in done:
            crashed = [name for name, p in processes.items() if p.returncode is not None]
            print(f"{', '.join(crashed)} stopped unexpectedly: stopping everything", file=sys.stderr)
            return 1
        return 0
    finally:
        await shutdown(processes)
        if sink:
            sink.stop()
        print("stopped.")


async def shutdown(processes: dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            process.terminate()
    for name, process in processes.items():
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            print(f"{name} did not stop in 20 s: killing it", file=sys.stderr)
            process.kill()
            await process.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
