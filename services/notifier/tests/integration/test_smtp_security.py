"""SMTP over STARTTLS or implicit TLS, with credentials, as configured by SMTP_TLS / SMTP_USERNAME / SMTP_PASSWORD."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from activateurs.notifier.adapters.tables import emails
from tests.support.smtp import SmtpSink
from tests.support.tls import self_signed, server_context
from tests.support.waiting import eventually

from ..conftest import email_request

CREDENTIALS = ("notifier", "s3cret-for-tests")


@pytest.fixture
def certificate(tmp_path):
    return self_signed(tmp_path)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
async def test_mail_goes_through_tls_with_credentials(start_notifier, amqp, certificate, mode):
    cert, key = certificate
    secure = SmtpSink(tls_context=server_context(cert, key), implicit_tls=mode == "tls", credentials=CREDENTIALS)
    secure.start()
    try:
        await start_notifier(smtp_port=secure.port, smtp_tls=mode, smtp_ca_file=str(cert),
                             smtp_username=CREDENTIALS[0], smtp_password=CREDENTIALS[1])
        await amqp.publish_event(email_request())
        mails = await eventually(lambda: secure.mails, what=f"the mail over {mode}")
        assert mails[0].recipients == ("claire.durand@example.fr",)
    finally:
        secure.stop()


async def test_wrong_password_is_retried_not_delivered(start_notifier, amqp, certificate):
    cert, key = certificate
    secure = SmtpSink(tls_context=server_context(cert, key), credentials=CREDENTIALS)
    secure.start()
    try:
        notifier = await start_notifier(smtp_port=secure.port, smtp_tls="starttls", smtp_ca_file=str(cert),
                                        smtp_username=CREDENTIALS[0], smtp_password="wrong")
        request = email_request()
        await amqp.publish_event(request)

        async def retried():
            async with notifier.database.sessions() as session:
                row = (await session.execute(sa.select(emails).where(
                    emails.c.idempotency_key == request.data.idempotency_key))).one_or_none()
            return row if row is not None and row.attempts >= 2 else None

        row = await eventually(retried, what="retries after the refused login")
        assert row.status in ("pending", "sending") and "535" in row.last_error
        assert secure.mails == []
    finally:
        secure.stop()


async def test_an_untrusted_certificate_is_refused(start_notifier, amqp, certificate, tmp_path):
    cert, key = certificate
    secure = SmtpSink(tls_context=server_context(cert, key))
    secure.start()
    try:
        notifier = await start_notifier(smtp_port=secure.port, smtp_tls="starttls")  # system CAs only
        request = email_request()
        await amqp.publish_event(request)

        async def failed_twice():
            async with notifier.database.sessions() as session:
                row = (await session.execute(sa.select(emails).where(
                    emails.c.idempotency_key == request.data.idempotency_key))).one_or_none()
            return row if row is not None and row.attempts >= 2 else None

        row = await eventually(failed_twice, what="two failed attempts")
        assert "SMTP unavailable" in row.last_error  # the TLS handshake failed: retried, not sent
        assert secure.mails == []
    finally:
        secure.stop()
