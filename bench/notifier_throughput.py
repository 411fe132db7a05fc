"""Notifier throughput (requested event → mail accepted by SMTP) beside a raw aiosmtplib loop, same mails, same server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import aiosmtplib
import sqlalchemy as sa

from activateurs.notifier.adapters.mime import build_message, envelope_sender
from activateurs.notifier.adapters.rendering import EmailRenderer
from activateurs.notifier.adapters.tables import emails
from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.emails import EMAIL_CONTEXTS
from activateurs.shared.contracts.notifier import EmailRequested, EmailRequestedData
from activateurs.shared.db import Database
from bench.section import Section
from tests.support.amqp import AmqpProbe
from tests.support.infra import DatabaseFactory, create_vhost, delete_vhost
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port

TEMPLATE = "contact_forwarded"
MAIL_FROM = "France Num - Activateurs <ne-pas-repondre@activateurs.francenum.gouv.fr>"


@dataclass(frozen=True)
class Result:
    name: str
    mails: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.mails / self.seconds


def _context() -> dict:
    return dict(EMAIL_CONTEXTS[TEMPLATE].model_config["json_schema_extra"]["examples"][0])


async def raw_loop(port: int, count: int) -> Result:
    """The bare baseline: one aiosmtplib connection sending the same mails (same bytes) in a loop."""
    rendered = EmailRenderer().render(TEMPLATE, _context())
    date = format_datetime(SystemClock().now())
    messages = [
        (f"activateur{i}@example.fr",
         build_message(mail_from=MAIL_FROM, to=f"activateur{i}@example.fr", subject=rendered.subject,
                       text=rendered.text, html=rendered.html, message_id=f"<raw{i}@bench>", date=date,
                       template=TEMPLATE))
        for i in range(count)
    ]
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await client.connect()
    started = time.perf_counter()
    for recipient, message in messages:
        await client.sendmail(envelope_sender(MAIL_FROM), [recipient], message)
    elapsed = time.perf_counter() - started
    await client.quit()
    return Result("raw aiosmtplib loop (1 connection)", count, elapsed)


async def notifier_run(port: int, count: int, databases: DatabaseFactory, log_dir: Path, replicas: int = 1) -> Result:
    """The notifier as real processes (`replicas` of them), draining `count` requests waiting in its queue.

    The requests are queued while the notifier is stopped, so the publisher's work is not on the
    machine during the measure. Throughput = count / (last mail accepted − first request taken),
    both instants recorded by the notifier itself (created_at at intake, sent_at after the SMTP 250).
    """
    name, amqp_url = create_vhost()
    database_url = await databases.fresh("notifier")
    env = {"DATABASE_URL": database_url, "RABBITMQ_URL": amqp_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
           "LOG_LEVEL": "WARNING"}
    db = Database(database_url, pool_size=2)
    try:
        first = ServiceProcess("notifier", port=free_port(), log_dir=log_dir, env=env)
        first.start()  # declares its queue, then stops
        await asyncio.to_thread(first.wait_ready)
        first.stop()
        context = _context()
        async with AmqpProbe(amqp_url) as probe:
            await asyncio.gather(*(
                probe.publish_event(EmailRequested.new(
                    EmailRequestedData(idempotency_key=f"bench:{uuid.uuid4()}", template=TEMPLATE,
                                       to=f"activateur{i}@example.fr", context=context),
                    producer="bench", occurred_at=SystemClock().now()))
                for i in range(count)))
        started = [ServiceProcess("notifier", port=free_port(), log_dir=log_dir, env=env) for _ in range(replicas)]
        for process in started:
            process.start()
        try:
            while True:
                async with db.sessions() as session:
                    row = (await session.execute(sa.select(
                        sa.func.count().filter(emails.c.status == "sent"), sa.func.min(emails.c.created_at),
                        sa.func.max(emails.c.sent_at)))).one()
                if row[0] >= count:
                    break
                await asyncio.sleep(0.05)
        finally:
            for process in started:
                process.stop()
        label = "1 process" if replicas == 1 else f"{replicas} replicas"
        return Result(f"notifier, {label} (request taken → SMTP accepted)", count, (row[2] - row[1]).total_seconds())
    finally:
        await db.dispose()
        delete_vhost(name)


MAILS = 3000
ROUNDS = 3  # baseline and notifier alternate; medians are reported, so one noisy round does not decide
GOAL = 0.5


def _median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.per_second)[len(results) // 2]


async def section() -> Section:
    port = free_port()
    sink = subprocess.Popen([sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)],
                            stdout=subprocess.PIPE, text=True)
    databases = DatabaseFactory()
    raws: list[Result] = []
    singles: list[Result] = []
    pairs: list[Result] = []
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        await raw_loop(port, 200)  # warm-up: connection, imports, template cache
        with tempfile.TemporaryDirectory() as logs:
            for _ in range(ROUNDS):
                raws.append(await raw_loop(port, MAILS))
                singles.append(await notifier_run(port, MAILS, databases, Path(logs)))
                pairs.append(await notifier_run(port, MAILS, databases, Path(logs), replicas=2))
    finally:
        await databases.drop_all()
        sink.terminate()
        sink.wait(10)
    raw, single, pair = _median(raws), _median(singles), _median(pairs)
    ratio = single.per_second / raw.per_second
    rounds = "; ".join(f"raw {r.per_second:.0f}, notifier {s.per_second:.0f}, 2 replicas {p.per_second:.0f}"
                       for r, s, p in zip(raws, singles, pairs, strict=True))
    markdown = "\n".join([
        "## Notifier throughput",
        "",
        f"{MAILS} mails (template `contact_forwarded`, about 7 kB) to the same local SMTP server (aiosmtpd, its own",
        f"process); median of {ROUNDS} alternating rounds. The notifier drains requests already waiting in its",
        "queue: from the first request taken to the last mail accepted by the SMTP server, as recorded by the",
        "notifier itself. Every mail goes through intake (inbox, stored once, rendered and built), claim, SMTP,",
        "the outcome record and its `notifier.email.sent.v1` event through the outbox.",
        "",
        "| run | mails/s | vs raw loop |",
        "|---|---:|---:|",
        f"| {raw.name} — baseline | {raw.per_second:.0f} | 100% |",
        f"| {single.name} | {single.per_second:.0f} | {ratio:.0%} |",
        f"| {pair.name} | {pair.per_second:.0f} | {pair.per_second / raw.per_second:.0%} |",
        "",
        f"Goal: one notifier process ≥ {GOAL:.0%} of the raw loop — **{'met' if ratio >= GOAL else 'NOT met'}** "
        f"({ratio:.0%}). Rounds (mails/s): {rounds}.",
    ])
    return Section(markdown, {"raw": raw.per_second, "notifier": single.per_second,
                              "notifier_2_replicas": pair.per_second, "ratio": ratio})
