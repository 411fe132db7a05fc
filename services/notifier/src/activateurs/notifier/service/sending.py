"""The sender: claims due mails, sends them over SMTP, records sent / retry later / failed with its event."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import asyncpg
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Histogram

from activateurs.shared import raw_sql, tracing
from activateurs.shared.contracts import Event
from activateurs.shared.contracts.notifier import EmailFailed, EmailOutcomeData, EmailSent
from activateurs.shared.db import Database
from activateurs.shared.messaging.consumer import is_transient
from activateurs.shared.waiting import wait_event

from ..adapters import hot_paths as store
from ..adapters import repository
from ..adapters.mime import envelope_sender
from ..adapters.repository import ClaimedEmail
from ..adapters.smtp import SendError, SmtpPool
from ..domain.delivery import RetryPolicy
from .requests import PRODUCER

log = logging.getLogger(__name__)

OUTCOMES = Counter("notifier_send_attempts_total", "Send attempts by outcome", ["outcome"])
SEND_SECONDS = Histogram("notifier_smtp_send_seconds", "Time for the SMTP server to accept one mail")

Outcome = tuple[ClaimedEmail, SendError | None]  # None: accepted by the SMTP server


class Sender:
    """One per process. `wake()` after queueing a mail; otherwise it polls every `idle_poll` seconds.

    Only a few mails per SMTP connection are claimed ahead, so a claim never outlives its lease
    while waiting in memory (an expired lease lets another replica send the same mail).
    """

    def __init__(self, db: Database, pool: SmtpPool, retry: RetryPolicy, *, mail_from: str, connections: int,
                 lease: timedelta, idle_poll: float) -> None:
        self._db = db
        self._pool = pool
        self._retry = retry
        self._connections = connections
        self._lease = lease
        self._idle_poll = idle_poll
        self._envelope_from = envelope_sender(mail_from)
        self._wake = asyncio.Event()
        self._outcomes: asyncio.Queue[Outcome] = asyncio.Queue()
        self._in_flight = 0
        # Set while sent mails wait for the database to record them: claiming then could, once
        # their leases end, take one of them back and send it twice.
        self._unrecorded = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        claimed: asyncio.Queue[ClaimedEmail] = asyncio.Queue(maxsize=self._connections * 8)
        workers = [asyncio.create_task(self._send_each(claimed)) for _ in range(self._connections)]
        recorder = asyncio.create_task(self._record_outcomes())
        try:
            while True:
                self._wake.clear()
                if self._unrecorded.is_set():
                    await asyncio.sleep(self._idle_poll)
                    continue
                batch = await self._claim(claimed.maxsize - claimed.qsize())
                for claim in batch:
                    claimed.put_nowait(claim)
                if batch:
                    # More may be due: claim again as soon as half the claimed mails are out.
                    while claimed.qsize() > claimed.maxsize // 2:
                        await asyncio.sleep(0.005)
                    continue
                await wait_event(self._wake, self._idle_poll)
        finally:
            await self._stop_gracefully(claimed, workers, recorder)

    async def _stop_gracefully(self, claimed: asyncio.Queue[ClaimedEmail], workers: list[asyncio.Task[None]],
                               recorder: asyncio.Task[None]) -> None:
        """Hand back unattempted claims, let sends in progress finish and their outcomes be recorded.

        Cutting a send short could leave a mail accepted by the server but not recorded, which
        would be sent again later.
        """
        await self._release([claimed.get_nowait() for _ in range(claimed.qsize())])
        try:
            async with asyncio.timeout(15):
                while self._in_flight:
                    await asyncio.sleep(0.01)
                await self._outcomes.join()
        except TimeoutError:
            log.warning("sender: stopped with sends or records still in progress (resent after the lease)")
        for task in (*workers, recorder):
            task.cancel()
        await asyncio.gather(*workers, recorder, return_exceptions=True)
        await self._pool.close()

    async def _release(self, claims: list[ClaimedEmail]) -> None:
        """On shutdown, hand back mails claimed but not attempted, rather than leave them leased."""
        if not claims:
            return
        try:
            async with asyncio.timeout(5), self._db.sessions() as session, session.begin():
                await repository.release(session, claims, self._db.clock.now())
        except Exception:
            log.warning("sender: %d claimed mails stay leased until their lease ends", len(claims))

    async def _claim(self, limit: int) -> list[ClaimedEmail]:
        now = self._db.clock.now()
        try:
            async with raw_sql.transaction(self._db) as conn:
                return await store.claim_due(conn, now, now + self._lease, limit)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("sender: cannot claim mails (%s)", type(error).__name__)
            return []

    async def _send_each(self, claimed: asyncio.Queue[ClaimedEmail]) -> None:
        while True:
            claim = await claimed.get()
            self._in_flight += 1
            try:
                await self.deliver(claim)
            except Exception:
                # The claim stays leased: another attempt happens once the lease ends.
                log.exception("sender: unexpected error on one mail")
            finally:
                self._in_flight -= 1

    async def deliver(self, claim: ClaimedEmail) -> None:
        error: SendError | None = None
        # A child of the span that stored the mail (tracing on): the request's trace ends with its SMTP send.
        with tracing.span("smtp send", parent=claim.trace_context, kind=SpanKind.CLIENT,
                          attributes=self._span_attributes(claim) if tracing.ENABLED else None) as span:
            try:
                with SEND_SECONDS.time():
                    await self._pool.send(self._envelope_from, claim.recipient, claim.raw_message)
            except SendError as refused:
                error = refused
                tracing.failed(span, "permanent refusal" if refused.permanent else "temporary failure")
        self._outcomes.put_nowait((claim, error))

    def _span_attributes(self, claim: ClaimedEmail) -> dict[str, object]:
        """What the SMTP span tells: the template, the attempt, the server; never an address or the message."""
        return {"activateurs.email.template": claim.template, "activateurs.email.attempt": claim.attempts,
                **self._pool.span_attributes}

    async def _record_outcomes(self) -> None:
        """Outcomes are recorded in batches: one transaction for whatever finished meanwhile.

        The gap between a send and its record is one short transaction; a crash inside it leads to
        one resend after the lease, with the same Message-ID.
        """
        while True:
            first = await self._outcomes.get()
            batch = [first, *(self._outcomes.get_nowait() for _ in range(min(self._outcomes.qsize(), 199)))]
            try:
                await self._record(batch)
            finally:
                for _ in batch:
                    self._outcomes.task_done()

    async def _record(self, batch: list[Outcome]) -> None:
        """Persist outcomes, retrying for as long as the database is unreachable (the mails are already out).

        Nothing is claimed meanwhile; retries stay a second apart so the records land as soon as the
        database is back, before this process claims again.
        """
        delay = 0.1
        while True:
            try:
                await self._record_once(batch)
                self._unrecorded.clear()
                return
            except Exception as db_error:
                if not is_transient(db_error):
                    self._unrecorded.clear()
                    log.exception("sender: outcomes of %d mails not recorded; resent after the lease", len(batch))
                    return
                if not self._unrecorded.is_set():
                    log.warning("sender: database unreachable, %d outcomes wait to be recorded", len(batch))
                self._unrecorded.set()
                await asyncio.sleep(delay)
                delay = min(1.0, delay * 2)

    async def _record_once(self, batch: list[Outcome]) -> None:
        now = self._db.clock.now()
        events: list[Event] = []
        origins: list[str | None] = []  # each outcome event in its mail's trace (tracing.py)
        async with raw_sql.transaction(self._db) as conn:
            sent = await store.mark_sent(conn, [claim for claim, error in batch if error is None], now)
            OUTCOMES.labels("sent").inc(len(sent))
            events += [
                EmailSent.new(EmailOutcomeData(idempotency_key=claim.idempotency_key, template=claim.template,
                                               at=now, attempts=claim.attempts),
                              producer=PRODUCER, occurred_at=now)
                for claim in sent
            ]
            origins += [claim.trace_context for claim in sent]
            for claim, error in batch:
                if error is not None:
                    failed = await self._record_failure(conn, claim, error, now)
                    events += failed
                    origins += [claim.trace_context] * len(failed)
            await raw_sql.insert_events(conn, events, now, origins)
        if events:
            self._db.outbox_signal.set()  # committed: the relay publishes now rather than at its next poll

    async def _record_failure(self, conn: asyncpg.Connection, claim: ClaimedEmail, error: SendError,
                              now: datetime) -> list[Event]:
        """A retry later, or failed for good with its event (returned, written with the batch's)."""
        retry_at = self._retry.after_failure(claim.attempts, now, permanent=error.permanent)
        if retry_at is not None:
            OUTCOMES.labels("retry").inc()
            await store.mark_retry(conn, claim, retry_at, error.reason)
            return []
        OUTCOMES.labels("failed").inc()
        if not await store.mark_failed(conn, claim, now, error.reason):
            return []  # the claim was lost meanwhile: its new owner reports
        return [EmailFailed.new(
            EmailOutcomeData(idempotency_key=claim.idempotency_key, template=claim.template, at=now,
                             attempts=claim.attempts, error=error.reason),
            producer=PRODUCER, occurred_at=now)]
