"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can refuse or go down."""

from __future__ import annotations

import email
import email.policy
import os
import random
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

REFUSED_PREFIX = "refuse-"  # recipients starting with this get a permanent 550


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()  # long ids are folded onto the next line

    def part(self, content_type: str) -> str:
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert found is not None and found.get_content_type() == content_type, f"no {content_type} part"
        return found.get_content()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower().startswith(REFUSED_PREFIX):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        self._sink.record(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _ephemeral_range() -> range:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)  # Linux's default


_EPHEMERAL = _ephemeral_range()
_handed_out: set[int] = set()


def _own_ports() -> range:
    """The ports this process may hand out: all below the ephemeral range, or its worker's share of them.

    Under pytest-xdist (`-n N`) each worker gets a disjoint slice, so two workers never pick the same port
    between the check below and the moment their server binds it.
    """
    ports = range(10000, _EPHEMERAL.start)
    worker, count = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    if not (worker.startswith("gw") and worker[2:].isdigit() and count.isdigit() and int(count) > 1):
        return ports
    size = len(ports) // int(count)
    start = ports.start + int(worker[2:]) * size
    return range(start, start + size)


def free_port() -> int:
    """A loopback port no one listens on, chosen outside the kernel's ephemeral range.

    A port the kernel picks with bind(0) is free only until the socket closes: any outgoing
    connection (to PostgreSQL, RabbitMQ, …) may take it as its local port before the server we
    start binds it. Ports below the ephemeral range are never handed to outgoing connections.
    """
    candidates = [port for port in _own_ports() if port not in _handed_out]
    for port in random.sample(candidates, len(candidates)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free loopback port below the ephemeral range")


class SmtpSink:
    """Start with `start()`; `stop()` takes it down (connections refused) and `start()` brings it back.

    With `tls_context` it speaks STARTTLS (`implicit_tls=False`) or implicit TLS; with `credentials`
    it requires AUTH (over TLS) with that login and password.
    """

    def __init__(self, port: int | None = None, *, tls_context: ssl.SSLContext | None = None,
                 implicit_tls: bool = False, credentials: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self._mails: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self._tls_context = tls_context
        self._implicit_tls = implicit_tls
        self._credentials = credentials

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        valid = isinstance(auth_data, LoginPassword) and self._credentials is not None and \
            (auth_data.login.decode(), auth_data.password.decode()) == self._credentials
        return AuthResult(success=valid, handled=False)  # handled=False: aiosmtpd answers 535 itself

    def _parameters(self) -> dict[str, Any]:
        parameters: dict[str, Any] = {}
        if self._tls_context is not None:
            if self._implicit_tls:
                # aiosmtpd does not see a TLS-wrapped socket as TLS: let AUTH through on it.
                parameters.update(ssl_context=self._tls_context, auth_require_tls=False)
            else:
                parameters.update(tls_context=self._tls_context, require_starttls=True)
        if self._credentials is not None:
            parameters.update(authenticator=self._authenticate, auth_required=True)
        return parameters

    def record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._mails.append(mail)

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._mails)

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      decode_data=False, data_size_limit=10 * 1024 * 1024, **self._parameters())
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
