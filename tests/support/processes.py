"""Run a service with its real start command (`activateurs-<name> serve`) as a child process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from .infra import ROOT

BIN = ROOT / ".venv" / "bin"


class ServiceProcess:
    def __init__(self, name: str, *, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._env = {**os.environ, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port), **env}
        self._log_path = log_dir / f"{name}-{port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self._log_path.open("ab")
        self._process = subprocess.Popen([str(BIN / f"activateurs-{self.name}"), "serve"], env=self._env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None and self._process.poll() is None, \
                f"{self.name} exited early; see {self._log_path}"
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # only waits: ready a moment sooner, every process start of the suite
        raise AssertionError(f"{self.name} not ready after {timeout}s; see {self._log_path}")

    def stop(self, timeout: float = 20.0) -> int | None:
        if self._process is None or self._process.poll() is not None:
            return self._process.returncode if self._process else None
        self._process.send_signal(signal.SIGTERM)
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait(5)

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(5)

    def log_text(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""
