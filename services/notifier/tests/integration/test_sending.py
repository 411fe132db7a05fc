"""The notifier end to end: request event → stored once → mail at a real SMTP server → outcome event."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from activateurs.notifier.adapters.rendering import EmailRenderer
from activateurs.notifier.adapters.tables import emails
from activateurs.notifier.domain.delivery import message_id
from activateurs.notifier.entrypoints.consumers import EMAIL_REQUESTS
from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.registration import AccountDeleted, AccountDeletedData
from tests.support.infra import queue_details
from tests.support.smtp import REFUSED_PREFIX
from tests.support.waiting import eventually, stays

from ..conftest import email_request


async def _row(service, key: str):
    async with service.database.sessions() as session:
        return (await session.execute(sa.select(emails).where(emails.c.idempotency_key == key))).one_or_none()


async def test_one_request_gives_one_mail_with_subject_recipient_both_parts_and_message_id(notifier, amqp, smtp):
    outcomes = await amqp.listen("notifier.email.#")
    request = email_request()
    await amqp.publish_event(request)

    mails = await eventually(lambda: smtp.mails, what="the mail")
    expected = EmailRenderer().render(request.data.template, request.data.context)
    mail = mails[0]
    assert mail.recipients == ("claire.durand@example.fr",)
    assert mail.message["To"] == "claire.durand@example.fr"
    assert mail.message["Subject"] == expected.subject
    assert mail.message_id == message_id(request.data.idempotency_key, notifier.settings.message_id_domain)
    verification_url = request.data.context["verification_url"]
    assert verification_url in mail.part("text/plain")
    assert verification_url in mail.part("text/html")
    assert mail.part("text/html").lstrip().lower().startswith("<!doctype html")

    sent = await eventually(lambda: [o for o in outcomes if o.routing_key == "notifier.email.sent.v1"],
                            what="the sent event")
    assert sent[0].body["data"]["idempotency_key"] == request.data.idempotency_key
    assert sent[0].persistent and sent[0].message_id == sent[0].body["event_id"]
    assert sent[0].headers["event_type"] == "notifier.email.sent.v1"
    await stays(lambda: len(smtp.mails) == 1, seconds=0.5, what="exactly one mail")
    row = await _row(notifier, request.data.idempotency_key)
    assert (row.status, row.attempts) == ("sent", 1)


async def test_the_same_request_twice_sends_one_mail(notifier, amqp, smtp):
    request = email_request()
    await amqp.publish_event(request)
    await amqp.publish_event(request)  # redelivery of the very same event
    again = email_request(key=request.data.idempotency_key)  # same key, new event: the producer retried
    await amqp.publish_event(again)

    await eventually(lambda: smtp.mails, what="the mail")
    await stays(lambda: len(smtp.mails) == 1, seconds=1.5, what="exactly one mail")
    async with notifier.database.sessions() as session:
        count = (await session.execute(sa.select(sa.func.count()).select_from(emails))).scalar_one()
    assert count == 1


async def test_smtp_down_for_a_while_then_up_delivers_once(notifier, amqp, smtp):
    smtp.stop()
    request = email_request()
    await amqp.publish_event(request)

    async def retried() -> bool:
        row = await _row(notifier, request.data.idempotency_key)
        return row is not None and row.attempts >= 2 and row.status == "pending"

    await eventually(retried, what="failed attempts while SMTP is down")
    row = await _row(notifier, request.data.idempotency_key)
    assert "SMTP unavailable" in row.last_error
    smtp.start()
    await eventually(lambda: smtp.mails, timeout=20, what="the mail once SMTP is back")
    await stays(lambda: len(smtp.mails) == 1, seconds=1.0, what="exactly one mail")
    assert (await _row(notifier, request.data.idempotency_key)).status == "sent"


async def test_permanent_refusal_is_marked_failed_and_reported(notifier, amqp, smtp):
    outcomes = await amqp.listen("notifier.email.failed.v1")
    request = email_request(to=f"{REFUSED_PREFIX}someone@example.fr")
    await amqp.publish_event(request)

    failed = await eventually(lambda: outcomes, what="the failed event")
    assert failed[0].body["data"]["idempotency_key"] == request.data.idempotency_key
    assert "550" in failed[0].body["data"]["error"]
    row = await _row(notifier, request.data.idempotency_key)
    assert (row.status, row.attempts) == ("failed", 1)  # not retried: a 5xx refusal is final
    assert smtp.mails == []


async def test_out_of_attempts_is_marked_failed(start_notifier, amqp, smtp):
    notifier = await start_notifier(max_attempts=3)
    smtp.stop()
    outcomes = await amqp.listen("notifier.email.failed.v1")
    request = email_request()
    await amqp.publish_event(request)

    failed = await eventually(lambda: outcomes, timeout=20, what="the failed event")
    assert failed[0].body["data"]["attempts"] == 3
    row = await _row(notifier, request.data.idempotency_key)
    assert (row.status, row.attempts) == ("failed", 3)


async def test_unknown_template_bad_context_and_bad_address_fail_without_stopping_the_flow(notifier, amqp, smtp):
    outcomes = await amqp.listen("notifier.email.failed.v1")
    unknown = email_request(template="no_such_template", context={"x": 1})
    incomplete = email_request(context={"first_name": "Claire"})
    bad_address = email_request(to="not-an-address")
    header_injection = email_request(to="victim@example.fr\r\nBcc: all@example.fr")
    for request in (unknown, incomplete, bad_address, header_injection):
        await amqp.publish_event(request)
    good = email_request()
    await amqp.publish_event(good)

    await eventually(lambda: len(outcomes) == 4, what="four failed events")
    errors = {o.body["data"]["idempotency_key"]: o.body["data"]["error"] for o in outcomes}
    assert "no_such_template" in errors[unknown.data.idempotency_key]
    assert "verification_url" in errors[incomplete.data.idempotency_key]
    assert "invalid recipient address" in errors[bad_address.data.idempotency_key]
    assert "invalid recipient address" in errors[header_injection.data.idempotency_key]
    mails = await eventually(lambda: smtp.mails, what="the valid mail")
    assert [m.recipients for m in mails] == [("claire.durand@example.fr",)]


async def test_malformed_messages_are_dead_lettered_and_consumption_goes_on(notifier, amqp, smtp):
    await amqp.publish_raw("notifier.email.requested.v1", b"{not json", message_id="m-1")
    await amqp.publish_raw("notifier.email.requested.v1", b'{"event_type": "notifier.email.requested.v1"}',
                           message_id="m-2")
    good = email_request()
    await amqp.publish_event(good)

    await eventually(lambda: smtp.mails, what="the valid mail after the poison messages")

    dead_ids: set[str] = set()
    for _ in range(100):
        dead_ids |= {m.message_id for m in await amqp.drain(EMAIL_REQUESTS.dead_letter_name)}
        if dead_ids >= {"m-1", "m-2"}:
            break
        await asyncio.sleep(0.05)
    assert dead_ids == {"m-1", "m-2"}
    assert len(smtp.mails) == 1


def test_queues_are_quorum_with_delivery_limit_and_dead_letter_queue(notifier, vhost):
    queues = queue_details(vhost.rsplit("/", 1)[1])
    main = queues[EMAIL_REQUESTS.name]
    assert main["type"] == "quorum"
    arguments = main["arguments"]
    assert arguments["x-delivery-limit"] == EMAIL_REQUESTS.delivery_limit
    assert arguments["x-dead-letter-exchange"] == "activateurs.dead-letter"
    assert queues[EMAIL_REQUESTS.dead_letter_name]["type"] == "quorum"


async def test_account_deletion_erases_its_mails_sent_and_still_to_send(notifier, amqp, smtp):
    account_id = uuid.uuid4()
    sent_before = email_request(to="leaving@example.fr", account_id=account_id)
    await amqp.publish_event(sent_before)
    await eventually(lambda: smtp.mails, what="the first mail")
    await eventually(lambda: _status_is(notifier, sent_before.data.idempotency_key, "sent"), what="recorded sent")

    smtp.stop()  # the goodbye mail cannot leave yet when the deletion arrives
    goodbye = email_request(to="leaving@example.fr", account_id=account_id, template="account_deleted")
    other = email_request(to="staying@example.fr", account_id=uuid.uuid4())
    await amqp.publish_event(goodbye)
    await amqp.publish_event(other)
    await eventually(lambda: _row(notifier, goodbye.data.idempotency_key), what="the goodbye mail stored")
    deletion = AccountDeleted.new(AccountDeletedData(account_id=account_id), producer="registration",
                                  occurred_at=SystemClock().now())
    await amqp.publish_event(deletion)
    await amqp.publish_event(deletion)  # twice: one effect

    async def erased_so_far():
        return (await _row(notifier, sent_before.data.idempotency_key)).recipient == "[effacé]"

    await eventually(erased_so_far, what="the sent mail erased")
    assert (await _row(notifier, goodbye.data.idempotency_key)).recipient == "leaving@example.fr"  # still to send
    smtp.start()
    await eventually(lambda: len(smtp.mails) == 3, timeout=20, what="the goodbye and the other mail sent")
    await eventually(lambda: _status_is(notifier, goodbye.data.idempotency_key, "sent"), what="goodbye recorded")

    async with notifier.database.sessions() as session:
        rows = (await session.execute(sa.select(emails))).all()
    leftovers = [row for row in rows if "leaving@example.fr" in " ".join(map(str, row))]
    assert leftovers == []
    assert sum(row.recipient == "[effacé]" for row in rows) == 2
    assert {row.recipient for row in rows} == {"[effacé]", "staying@example.fr"}


async def _status_is(service, key: str, status: str) -> bool:
    row = await _row(service, key)
    return row is not None and row.status == status
