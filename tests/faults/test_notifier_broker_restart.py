"""Email requests in flight while the (private) RabbitMQ node restarts: every mail delivered, none twice."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter

import aio_pika

from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.emails import EMAIL_CONTEXTS
from activateurs.shared.contracts.notifier import EmailRequested, EmailRequestedData
from activateurs.shared.messaging.topology import EVENTS_EXCHANGE
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port
from tests.support.waiting import eventually

TOTAL = 300


def _request(index: int) -> EmailRequested:
    context = dict(EMAIL_CONTEXTS["dossier_received"].model_config["json_schema_extra"]["examples"][0])
    return EmailRequested.new(
        EmailRequestedData(idempotency_key=f"fault:{uuid.uuid4()}", template="dossier_received",
                           to=f"applicant{index}@example.fr", context=context),
        producer="registration", occurred_at=SystemClock().now())


async def _declare_durable_listener(url: str, name: str, key: str) -> None:
    """A quorum queue of the test's, so the outcome events survive the broker restart too."""
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE.name, aio_pika.ExchangeType.TOPIC,
                                                  durable=True, arguments=EVENTS_EXCHANGE.arguments)
        queue = await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, routing_key=key)


async def _drain(url: str, name: str) -> list[bytes]:
    async with await aio_pika.connect(url) as connection:
        queue = await (await connection.channel()).get_queue(name)
        bodies = []
        while (message := await queue.get(fail=False)) is not None:
            await message.ack()
            bodies.append(message.body)
        return bodies


async def test_mails_delivered_once_across_a_rabbitmq_restart(private_postgres, private_rabbit, faults_vhost, probe,
                                                               smtp, tmp_path):
    vhost, amqp = faults_vhost, probe
    notifier = ServiceProcess("notifier", port=free_port(), log_dir=tmp_path, env={
        "DATABASE_URL": await private_postgres.fresh("notifier"), "RABBITMQ_URL": vhost,
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "NOTIFIER_BACKOFF_BASE_SECONDS": "0.5",
        "NOTIFIER_BACKOFF_MAX_SECONDS": "2", "LOG_LEVEL": "INFO"})
    notifier.start()
    try:
        await asyncio.to_thread(notifier.wait_ready)
        await _declare_durable_listener(vhost, "test.sent-events", "notifier.email.sent.v1")
        requests = [_request(i) for i in range(TOTAL)]
        for request in requests[:TOTAL // 2]:
            await amqp.publish_event(request)

        # The node stops while the first half is being taken in, sent and reported; the second half
        # is published once it is back, so the flow spans the restart whatever the machine's speed.
        await eventually(lambda: smtp.mails, what="the first mails")
        await asyncio.to_thread(private_rabbit.stop)
        try:
            await asyncio.sleep(3)
        finally:
            await asyncio.to_thread(private_rabbit.start)
        for request in requests[TOTAL // 2:]:
            await amqp.publish_event(request)

        await eventually(lambda: len(smtp.mails) >= TOTAL, timeout=180, interval=0.2, what=f"{TOTAL} mails")
        await asyncio.to_thread(notifier.wait_ready)
        await asyncio.sleep(2)  # a duplicate, if any, would show up now
        per_recipient = Counter(mail.recipients for mail in smtp.mails)
        assert len(smtp.mails) == TOTAL, f"{len(smtp.mails) - TOTAL} mails sent twice"
        assert set(per_recipient) == {(f"applicant{i}@example.fr",) for i in range(TOTAL)}
        assert len({mail.message_id for mail in smtp.mails}) == TOTAL

        outcome_keys: set[str] = set()

        async def all_sent_events() -> bool:
            for body in await _drain(vhost, "test.sent-events"):
                outcome_keys.add(json.loads(body)["data"]["idempotency_key"])
            return len(outcome_keys) >= TOTAL

        await eventually(all_sent_events, timeout=60, interval=0.5, what="a sent event for every mail")
        assert outcome_keys == {request.data.idempotency_key for request in requests}
    finally:
        notifier.stop()
