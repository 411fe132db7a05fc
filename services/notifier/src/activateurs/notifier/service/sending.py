"""The sender: claims due mails, sends them over SMTP, records sent / retry later / failed with its event."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from prometheus_client import Counter, Histogram

from activateurs.shared.contracts.notifier import EmailFailed, EmailOutcomeData, EmailSent
from activateurs.shared.db import Database
from activateurs.shared.messaging.consumer import is_transient

from ..adapters import repository
from ..adapters.repository import ClaimedEmail
from ..adapters.smtp import SendError, SmtpPool
from ..domain.delivery import RetryPolicy
from .requests import PRODUCER

log = logging.getLogger(__name__)

OUTCOMES = Counter("notifier_send_attempts_total", "Send attempts by outcome", ["outcome"])
SEND_SECONDS = Histogram("notifier_smtp_send_seconds", "Time for the SMTP server to accept one mail")


def compose(claim: ClaimedEmail, mail_from: str, date: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = claim.recipient
    message["Subject"] = claim.subject
    message["Date"] = date
    message["Message-ID"] = claim.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to us
    message["X-Activateurs-Template"] = claim.template
    message.set_content(claim.text_body)
    message.add_alternative(claim.html_body, subtype="html")
    return message


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
        self._mail_from = mail_from
        self._connections = connections
        self._lease = lease
        self._idle_poll = idle_poll
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        claimed: asyncio.Queue[ClaimedEmail] = asyncio.Queue(maxsize=self._connections * 4)
        workers = [asyncio.create_task(self._send_each(claimed)) for _ in range(self._connections)]
        try:
            while True:
                self._wake.clear()
                batch = await self._claim(claimed.maxsize - claimed.qsize())
                for claim in batch:
                    claimed.put_nowait(claim)
                if batch:
                    # More may be due: claim again as soon as half the claimed mails are out.
                    while claimed.qsize() > claimed.maxsize // 2:
                        await asyncio.sleep(0.005)
                    continue
                await _wait(self._wake, self._idle_poll)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await self._release([claimed.get_nowait() for _ in range(claimed.qsize())])
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
            async with self._db.sessions() as session, session.begin():
                return await repository.claim_due(session, now, now + self._lease, limit)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("sender: cannot claim mails (%s)", type(error).__name__)
            return []

    async def _send_each(self, claimed: asyncio.Queue[ClaimedEmail]) -> None:
        while True:
            claim = await claimed.get()
            try:
                await self.deliver(claim)
            except Exception:
                # The claim stays leased: another attempt happens once the lease ends.
                log.exception("sender: unexpected error on one mail")

    async def deliver(self, claim: ClaimedEmail) -> None:
        error: SendError | None = None
        try:
            message = compose(claim, self._mail_from, format_datetime(self._db.clock.now()))
        except ValueError as invalid:  # e.g. a header the email library refuses
            error = SendError(f"cannot compose the message: {invalid}", permanent=True)
        else:
            try:
                with SEND_SECONDS.time():
                    await self._pool.send(message)
            except SendError as refused:
                error = refused
        await self._record(claim, error)

    async def _record(self, claim: ClaimedEmail, error: SendError | None) -> None:
        """Persist the outcome, retrying through a short database outage (the mail is already out)."""
        delay = 0.2
        for attempt in range(8):
            try:
                await self._record_once(claim, error)
                return
            except Exception as db_error:
                if not is_transient(db_error) or attempt == 7:
                    raise
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)

    async def _record_once(self, claim: ClaimedEmail, error: SendError | None) -> None:
        now = self._db.clock.now()
        async with self._db.uow() as uow:
            if error is None:
                OUTCOMES.labels("sent").inc()
                if await repository.mark_sent(uow.session, claim, now):
                    await uow.add_event(EmailSent.new(
                        EmailOutcomeData(idempotency_key=claim.idempotency_key, template=claim.template, at=now,
                                         attempts=claim.attempts),
                        producer=PRODUCER, occurred_at=now))
            else:
                retry_at = self._retry.after_failure(claim.attempts, now, permanent=error.permanent)
                if retry_at is not None:
                    OUTCOMES.labels("retry").inc()
                    await repository.mark_retry(uow.session, claim, retry_at, error.reason)
                else:
                    OUTCOMES.labels("failed").inc()
                    if await repository.mark_failed(uow.session, claim, now, error.reason):
                        await uow.add_event(EmailFailed.new(
                            EmailOutcomeData(idempotency_key=claim.idempotency_key, template=claim.template,
                                             at=now, attempts=claim.attempts, error=error.reason),
                            producer=PRODUCER, occurred_at=now))
            await uow.commit()


async def _wait(event: asyncio.Event, timeout: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        pass
