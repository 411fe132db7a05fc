"""Fuzz harness: a service run with its real start command on fresh infrastructure, and its schema for Schemathesis."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port
from tests.support.tokens import TokenIssuer

# Bounded and reproducible: the same cases on every run, a fixed number per operation.
SEED = 20261126
MAX_EXAMPLES = 30

# What every answer is held to: never a 5xx, only documented status codes and media types, bodies that match
# their schema, and invalid input refused with a 4xx.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


@dataclass
class Running:
    process: ServiceProcess
    database_url: str
    vhost: str

    @property
    def url(self) -> str:
        return self.process.url


def token_env(issuer: TokenIssuer) -> dict[str, str]:
    """Settings making a service verify tokens against the test issuer's JWKS."""
    return {"JWKS_URL": issuer.jwks_url, "JWT_ISSUER": issuer.issuer, "JWT_AUDIENCE": issuer.audience}


@asynccontextmanager
async def running(service: str, databases: DatabaseFactory, log_dir: Path,
                  env: dict[str, str] | None = None) -> AsyncIterator[Running]:
    """`service` served by its real command on a fresh database and vhost, until the block ends."""
    database_url = await databases.fresh(service)
    vhost_name, vhost = await asyncio.to_thread(create_vhost)
    process = ServiceProcess(service, port=free_port(), log_dir=log_dir, env={
        "DATABASE_URL": database_url, "RABBITMQ_URL": vhost, "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING",
        **(env or {})})
    process.start()
    try:
        await asyncio.to_thread(process.wait_ready)
        yield Running(process, database_url, vhost)
    finally:
        await asyncio.to_thread(process.stop)
        await asyncio.to_thread(delete_vhost, vhost_name)


def load_schema(app: FastAPI) -> schemathesis.BaseSchema:
    """The OpenAPI document of `app` (what the service's start command serves), set for bounded, deterministic
    fuzzing. Built at import time from the same code, so that every operation is a test item of its own."""
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],  # slow I/O on a loaded machine is not a finding
        "generation": {
            "mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
            # The token is the test's (a role allowed to call); a generated or removed Authorization header
            # would make a case "negative" for a reason the test then overrides.
            "with-security-parameters": False,
            # Unknown query parameters are ignored, as HTTP APIs do (tracking parameters, cache busters):
            # not negative data.
            "allow-extra-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        "request-timeout": 30,
    })
    return schemathesis.openapi.from_dict(app.openapi(), config=config)


def validate(case: schemathesis.Case, service: Running, headers: dict[str, str]) -> None:
    """Send `case` to `service` with `headers` (a token of a role allowed to call it) and apply every check."""
    try:
        case.call_and_validate(base_url=service.url, headers=headers, checks=CHECKS)
    except Exception as failure:
        failure.add_note(last_server_error(service))
        raise


def last_server_error(service: Running) -> str:
    """The end of the last traceback the service logged: what a 500 was, without opening the log file."""
    for line in reversed(service.process.log_text().splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("level") == "ERROR" and record.get("exc_info"):
            return f"last error logged by {service.process.name}:\n{record['exc_info'][-2500:]}"
    return f"no error logged by {service.process.name}"




def is_positive(case: schemathesis.Case) -> bool:
    """Whether `case` was generated to be valid (as opposed to a negative, schema-violating case)."""
    return case.meta is None or case.meta.generation.mode is schemathesis.GenerationMode.POSITIVE


def use_known_ids(case: schemathesis.Case, known: dict[str, Sequence[str]]) -> None:
    """In a valid case, swap about half the generated path ids for ids that exist (deterministically: the choice
    follows the generated value), so the fuzzer reaches the handlers behind the 404 too."""
    if not is_positive(case) or not case.path_parameters:
        return
    for name, ids in known.items():
        try:
            number = uuid.UUID(str(case.path_parameters.get(name))).int
        except ValueError:
            continue
        if ids and number % 2 == 0:
            case.path_parameters[name] = ids[(number // 2) % len(ids)]


class FileServer:
    """An HTTP server on loopback answering every GET with the same file (a document store stand-in)."""

    def __init__(self, content: bytes, content_type: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FileServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
