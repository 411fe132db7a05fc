"""Wiring of the notifier: database, broker, renderer, SMTP pool, sender, consumers, routes."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from activateurs.shared.clock import Clock
from activateurs.shared.contracts.notifier import EmailFailed, EmailSent
from activateurs.shared.db import Database
from activateurs.shared.messaging.backlog import Backlog
from activateurs.shared.service import Service, create_broker

from .adapters.rendering import EmailRenderer
from .adapters.smtp import SmtpConfig, SmtpPool
from .adapters.tables import emails
from .config import NotifierSettings
from .domain.delivery import RetryPolicy
from .entrypoints.consumers import QUEUES, register_consumers
from .entrypoints.http import router
from .service import erasure
from .service.sending import Sender

DESCRIPTION = "Sends every email of the platform from French templates, with retries, never twice."
# Mails requested and not yet accepted by the SMTP server (waiting, retrying or being sent).
MAILS = Backlog.of("notifier_mails", "Mails not yet sent", emails, emails.c.status.in_(["pending", "sending"]),
                   emails.c.created_at)


def build_service(settings: NotifierSettings, *, clock: Clock | None = None) -> Service:
    db = Database(settings.database_url, clock=clock or settings.clock())
    broker = create_broker("notifier", settings)
    renderer = EmailRenderer()
    pool = SmtpPool(
        SmtpConfig(host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
                   password=settings.smtp_password, tls=settings.smtp_tls, timeout=settings.smtp_timeout,
                   ca_file=settings.smtp_ca_file),
        size=settings.smtp_connections,
    )
    sender = Sender(
        db, pool,
        RetryPolicy(max_attempts=settings.max_attempts, base=timedelta(seconds=settings.backoff_base_seconds),
                    cap=timedelta(seconds=settings.backoff_max_seconds)),
        mail_from=settings.mail_from, connections=settings.smtp_connections,
        lease=timedelta(seconds=settings.claim_lease_seconds), idle_poll=settings.idle_poll_seconds,
    )
    subscribers = register_consumers(broker, db=db, renderer=renderer, sender=sender, mail_from=settings.mail_from,
                                     message_id_domain=settings.message_id_domain)
    return Service(
        name="notifier", version="0.1.0", description=DESCRIPTION, settings=settings, database=db, broker=broker,
        queues=QUEUES, publishes=(EmailSent, EmailFailed), routers=[router],
        background={"sender": sender.run, "retention": lambda: erasure.run_retention(
            db, deletions_kept=timedelta(days=settings.deleted_accounts_days),
            records_kept=timedelta(days=settings.delivery_records_days))},
        subscribers=subscribers, backlogs=(MAILS,),
    )


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    return build_service(settings or NotifierSettings()).create_app()
