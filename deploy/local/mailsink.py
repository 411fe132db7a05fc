"""Local SMTP sink for `make run`: keeps every mail as a .eml file and lists them on a small web page."""

from __future__ import annotations

import email
import email.policy
import html
import itertools
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _KeepEveryMail:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{next(self._counter):05d}.eml"
        (self._folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _page(folder: Path, path: str) -> tuple[int, str, bytes]:
    if path in ("/", "/index.html"):
        rows = []
        for file in sorted(folder.glob("*.eml"), reverse=True)[:500]:
            message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            rows.append(f"<tr><td>{html.escape(file.stem)}</td><td>{html.escape(str(message['To']))}</td>"
                        f"<td><a href='/mail/{file.name}'>{html.escape(str(message['Subject']))}</a></td>"
                        f"<td><a href='/raw/{file.name}'>source</a></td></tr>")
        body = ("<!doctype html><html lang='fr'><meta charset='utf-8'><title>Courriels reçus</title>"
                "<h1>Courriels reçus par le puits SMTP local</h1><table border='1' cellpadding='4'>"
                "<tr><th>Reçu</th><th>À</th><th>Objet</th><th></th></tr>" + "".join(rows) + "</table></html>")
        return 200, "text/html; charset=utf-8", body.encode()
    kind, _, name = path.strip("/").partition("/")
    file = folder / Path(name).name
    if kind not in ("mail", "raw") or not file.is_file():
        return 404, "text/plain", b"not found"
    if kind == "raw":
        return 200, "text/plain; charset=utf-8", file.read_bytes()
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("html", "plain"))
    return 200, "text/html; charset=utf-8", (part.get_content() if part else "").encode()


class MailSink:
    def __init__(self, folder: Path, *, smtp_port: int = 1025, http_port: int = 8025) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.smtp_port = smtp_port
        self.http_port = http_port
        self._smtp = Controller(_KeepEveryMail(folder), hostname="127.0.0.1", port=smtp_port)
        sink_folder = folder

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, content_type, body = _page(sink_folder, self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", http_port), Handler)

    def start(self) -> None:
        self._smtp.start()
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._smtp.stop()
        self._http.shutdown()
        self._http.server_close()
