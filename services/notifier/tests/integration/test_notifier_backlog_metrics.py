"""The backlog gauges an operator alerts on: mails waiting and the oldest one's age, events not yet published."""

from __future__ import annotations

import re

import httpx

from tests.support.waiting import eventually

from ..conftest import email_request


def _gauge(text: str, name: str) -> float | None:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


async def test_mails_waiting_while_smtp_is_down_show_in_the_gauges_then_clear(start_notifier, amqp, smtp):
    notifier = await start_notifier(backlog_metrics_seconds=0.2)
    smtp.stop()
    requests = [email_request(to=f"attente{i}@example.fr") for i in range(3)]
    for request in requests:
        await amqp.publish_event(request)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.create_app()),
                                 base_url="http://notifier") as client:
        async def metrics() -> str:
            return (await client.get("/metrics")).text

        async def waiting(expected: float) -> bool:
            text = await metrics()
            return _gauge(text, "notifier_mails_waiting") == expected

        await eventually(lambda: waiting(3), what="three mails waiting")
        await eventually(lambda: _older_than(metrics(), 0.5), what="the oldest mail's age growing")
        smtp.start()
        await eventually(lambda: waiting(0), timeout=20, what="no mail waiting")
        text = await metrics()
        assert _gauge(text, "notifier_mails_oldest_waiting_seconds") == 0
        # Every sent event confirmed by RabbitMQ: the outbox is empty again.
        await eventually(lambda: _outbox_empty(metrics()), what="the outbox drained")


async def _older_than(text, seconds: float) -> bool:
    age = _gauge(await text, "notifier_mails_oldest_waiting_seconds")
    return age is not None and age > seconds


async def _outbox_empty(text) -> bool:
    body = await text
    return _gauge(body, "outbox_waiting") == 0 and _gauge(body, "outbox_oldest_waiting_seconds") == 0
