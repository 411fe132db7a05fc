"""The deadline sweeper: reminder at half time, overdue at the deadline; rows claimed with SKIP LOCKED, in batches."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from activateurs.shared import raw_sql
from activateurs.shared.contracts.contact_relay import RequestOverdue, RequestStepData
from activateurs.shared.contracts.emails import (
    ContactAckReminderContext,
    ContactOverdueActivatorContext,
    ContactOverdueBusinessContext,
    EmailContext,
)
from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.db import Database

from ..adapters import deadlines
from . import retention
from .alternatives import Alternatives
from .links import Links
from .rate_limits import RateLimits
from .structure_mails import PRODUCER, structure_mails

log = logging.getLogger(__name__)

# Rows claimed per transaction: large enough that the per-batch reads and round trips are amortised,
# small enough that a batch's locks and events stay a short transaction.
DEFAULT_BATCH = 1000


@dataclass(frozen=True)
class SweepResult:
    reminders: int = 0
    overdue: int = 0


async def send_reminders(db: Database, links: Links, batch: int = DEFAULT_BATCH) -> int:
    """Reminders for up to `batch` requests at half time; 0 once none is due."""
    now = db.clock.now()
    async with raw_sql.transaction(db) as conn:
        rows = await deadlines.claim_reminders(conn, now, batch)
        if not rows:
            return 0
        events: list = []
        for row in rows:
            context = ContactAckReminderContext(
                structure_name=row["structure_name"] or "", company_name=row["company_name"],
                ack_deadline=row["ack_deadline"].astimezone(ZoneInfo(row["timezone"])),
                acknowledgement_url=links.acknowledgement_url(row["id"], row["structure_id"], row["received_at"]))
            events += _to_structure(context, "reminder", row, links, now)
        await raw_sql.insert_events(conn, events, now)
    db.outbox_signal.set()
    return len(rows)


async def mark_overdue(db: Database, links: Links, batch: int = DEFAULT_BATCH) -> int:
    """Up to `batch` requests past their deadline marked overdue, both sides told; 0 once none is due."""
    now = db.clock.now()
    async with raw_sql.transaction(db) as conn:
        rows = await deadlines.claim_deadlines(conn, now, batch)
        if not rows:
            return 0
        others = Alternatives(await deadlines.alternative_candidates(
            conn, {row["structure_department"] for row in rows if row["structure_department"]},
            {domain for row in rows for domain in row["domains"]}, Alternatives.PER_DOMAIN), links)
        events: list = []
        for row in rows:
            zone = ZoneInfo(row["timezone"])
            activator = ContactOverdueActivatorContext(
                structure_name=row["structure_name"] or "", company_name=row["company_name"],
                received_at=row["received_at"].astimezone(zone), ack_deadline=row["ack_deadline"].astimezone(zone),
                acknowledgement_url=links.acknowledgement_url(row["id"], row["structure_id"], row["received_at"]))
            events += _to_structure(activator, "overdue", row, links, now)
            business = ContactOverdueBusinessContext(
                contact_name=row["contact_name"], structure_name=row["structure_name"] or "",
                alternatives=others.offered(row["structure_department"], row["structure_id"], row["domains"]),
                directory_url=links.directory_url(row["postal_code"]))
            events.append(EmailRequested.for_context(
                business, to=row["email"],
                idempotency_key=f"contact-relay:{row['id']}:overdue-business:{row['structure_id']}",
                producer=PRODUCER, occurred_at=now))
            events.append(RequestOverdue.new(RequestStepData(request_id=row["id"], structure_id=row["structure_id"],
                                                             at=now), producer=PRODUCER, occurred_at=now))
        await raw_sql.insert_events(conn, events, now)
    db.outbox_signal.set()  # committed: the relay publishes now rather than at its next poll
    return len(rows)


def _to_structure(context: EmailContext, kind: str, row: Mapping[str, Any], links: Links,
                  now: datetime) -> list[EmailRequested]:
    return structure_mails(context, kind=kind, request_id=row["id"], structure_id=row["structure_id"],
                           account_id=row["structure_account_id"], addresses=row["contact_emails"],
                           secret=links.secret, now=now)


async def sweep(db: Database, links: Links, batch: int = DEFAULT_BATCH) -> SweepResult:
    """Everything due now, batch after batch; any number of replicas may run it at once."""
    reminders = overdue = 0
    while (done := await send_reminders(db, links, batch)):
        reminders += done
    while (done := await mark_overdue(db, links, batch)):
        overdue += done
    return SweepResult(reminders, overdue)


async def run_forever(db: Database, links: Links, *, interval: float, batch: int, retention_months: int,
                      rate_limits: RateLimits | None = None) -> None:
    purge_every = max(1, int(3600 / interval))  # the retention purge: hourly is plenty
    for turn in itertools.count():
        result = await sweep(db, links, batch)
        if result.reminders or result.overdue:
            log.info("deadline sweep: %d reminders, %d overdue", result.reminders, result.overdue)
        if turn % purge_every == 0:
            purged = await retention.purge(db, retention_months)
            if purged:
                log.info("retention: personal data erased from %d old requests", purged)
            await retention.forget_old_deletions(db)
            if rate_limits is not None:  # counters of windows past: a few hours' worth of keys at most
                await rate_limits.purge()
        await asyncio.sleep(interval)
