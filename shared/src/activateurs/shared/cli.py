"""A service's command line: `serve` (wait for dependencies, migrate, serve), `migrate`, `dead-letters`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import aio_pika
import asyncpg
import uvicorn
from fastapi import FastAPI

from . import migrations
from .db import ensure_database_exists
from .logging import configure_logging
from .messaging import dead_letters
from .messaging.topology import QueueSpec
from .settings import ServiceSettings

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, ServiceSettings], int]


async def wait_for_dependencies(settings: ServiceSettings, timeout: float) -> None:
    """Wait until PostgreSQL and RabbitMQ answer, creating the service database if allowed and missing."""
    deadline = time.monotonic() + timeout
    for name, probe in (("PostgreSQL", _probe_postgres), ("RabbitMQ", _probe_rabbitmq)):
        while True:
            try:
                await probe(settings)
                break
            except (OSError, asyncpg.PostgresError, aio_pika.exceptions.AMQPError) as error:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} is not reachable ({type(error).__name__}); is it running?") from error
                log.info("waiting for %s (%s)", name, type(error).__name__)
                await asyncio.sleep(1.0)


async def _probe_postgres(settings: ServiceSettings) -> None:
    try:
        await ensure_database_exists(settings.database_url)
    except asyncpg.InsufficientPrivilegeError:
        log.info("no right to create databases here: assuming it exists")


async def _probe_rabbitmq(settings: ServiceSettings) -> None:
    connection = await aio_pika.connect(settings.rabbitmq_url, timeout=5)
    await connection.close()


def _dead_letters_command(queues: Sequence[QueueSpec]) -> tuple[str, Callable[[argparse.ArgumentParser], None], Command]:
    """`dead-letters list | replay [--queue Q] [--limit N] | purge --queue Q --yes` on this service's queues."""
    names = [spec.name for spec in queues]

    def configure(parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="how many messages wait in each dead-letter queue")
        again = actions.add_parser("replay", help="put dead-lettered messages back on their queue, oldest first")
        again.add_argument("--queue", choices=names, help="one queue (default: every queue of the service)")
        again.add_argument("--limit", type=int, help="at most this many per queue")
        drop = actions.add_parser("purge", help="delete a dead-letter queue's messages for good")
        drop.add_argument("--queue", choices=names, required=True)
        drop.add_argument("--yes", action="store_true", required=True, help="yes, they are lost")

    def run(args: argparse.Namespace, settings: ServiceSettings) -> int:
        url = settings.rabbitmq_url
        chosen = [spec for spec in queues if getattr(args, "queue", None) in (None, spec.name)]
        if args.action == "list":
            for found in asyncio.run(dead_letters.waiting(url, chosen)):
                print(f"{found.queue}\t{'missing' if found.messages is None else found.messages}")
        elif args.action == "replay":
            for spec in chosen:
                moved = asyncio.run(dead_letters.replay(url, spec, args.limit))
                for message in moved:
                    print(f"{spec.name}\t{message.event_type}\t{message.message_id}\t{message.death_reason}")
                print(f"{spec.name}: {len(moved)} replayed", file=sys.stderr)
        else:
            print(f"{chosen[0].dead_letter_name}: {asyncio.run(dead_letters.purge(url, chosen[0]))} purged",
                  file=sys.stderr)
        return 0

    return "inspect, replay or purge this service's dead-letter queues", configure, run


def service_main(
    name: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    alembic_ini: Path,
    extra: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Command]] | None = None,
    queues: Sequence[QueueSpec] = (),
) -> None:
    extra = {**(extra or {}), **({"dead-letters": _dead_letters_command(queues)} if queues else {})}
    parser = argparse.ArgumentParser(prog=f"activateurs-{name}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="wait for PostgreSQL and RabbitMQ, migrate, then serve HTTP and events")
    serve.add_argument("--no-migrate", action="store_true", help="skip migrations (a separate job ran them)")
    serve.add_argument("--wait", type=float, default=60.0, help="seconds to wait for dependencies")
    commands.add_parser("migrate", help="apply the database migrations and exit")
    for command, (help_text, configure, _) in (extra or {}).items():
        configure(commands.add_parser(command, help=help_text))
    args = parser.parse_args()

    settings = settings_factory()
    configure_logging(name, settings.log_level)
    ini = Path(os.environ.get("ALEMBIC_CONFIG", alembic_ini))
    if args.command == "migrate":
        asyncio.run(wait_for_dependencies(settings, 60.0))
        migrations.upgrade(ini, settings.database_url)
        return
    if args.command == "serve":
        asyncio.run(wait_for_dependencies(settings, args.wait))
        if not args.no_migrate:
            migrations.upgrade(ini, settings.database_url)
        app = app_factory(settings)
        # No access log: it would write client addresses and query strings (one-click tokens) to the
        # logs; request counts and latencies are in /metrics.
        uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None, access_log=False,
                    proxy_headers=True, timeout_graceful_shutdown=20)
        return
    _, _, run = (extra or {})[args.command]
    sys.exit(run(args, settings))
