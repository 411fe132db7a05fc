"""Schemathesis against the notifier's OpenAPI, as a DGE agent: no 5xx, every answer as documented.

Seeded first with sent and failed deliveries, so the log has rows to serialise and
valid cases often filter on a recipient that exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from activateurs.notifier.app import create_app
from activateurs.notifier.config import NotifierSettings
from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.emails import EMAIL_CONTEXTS
from activateurs.shared.contracts.notifier import EmailRequested, EmailRequestedData
from tests.support.amqp import AmqpProbe
from tests.support.smtp import REFUSED_PREFIX, SmtpSink
from tests.support.waiting import eventually

from .harness import is_positive, load_schema, running, token_env, validate

schema = load_schema(create_app(NotifierSettings(environment="test")))

RECIPIENTS = ("claire.durand@example.fr", f"{REFUSED_PREFIX}paul@example.fr")


def email_request(to: str, template: str) -> EmailRequested:
    context = dict(EMAIL_CONTEXTS[template].model_config["json_schema_extra"]["examples"][0])
    return EmailRequested.new(
        EmailRequestedData(idempotency_key=f"fuzz:{uuid.uuid4()}", template=template, to=to, context=context),
        producer="registration", occurred_at=SystemClock().now())


@pytest.fixture(scope="module")
def mail_server() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
async def notifier(databases, issuer, mail_server, tmp_path_factory):
    async with running("notifier", databases, tmp_path_factory.mktemp("notifier"), env={
            **token_env(issuer), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail_server.port)}) as service:
        yield service


@pytest.fixture(scope="module")
async def deliveries(notifier, issuer) -> int:
    """One mail per template to each recipient: accepted ones are sent, refused ones fail for good."""
    requests = [email_request(to, template) for to in RECIPIENTS for template in sorted(EMAIL_CONTEXTS)]
    async with AmqpProbe(notifier.vhost) as amqp:
        for request in requests:
            await amqp.publish_event(request)
    async with httpx.AsyncClient(base_url=notifier.url, headers=issuer.headers("dge_agent"), timeout=30) as http:
        async def settled() -> bool:
            body = (await http.get("/api/v1/deliveries", params={"page_size": 200})).json()
            return body["total"] == len(requests) and {item["status"] for item in body["items"]} == {"sent", "failed"}

        await eventually(settled, timeout=120, what="every seeded mail sent or failed")
    return len(requests)


@schema.parametrize()
def test_fuzz_notifier(case, notifier, deliveries, issuer):
    if is_positive(case) and case.query and "recipient" in case.query and len(case.query["recipient"]) % 2 == 0:
        case.query["recipient"] = RECIPIENTS[len(case.query["recipient"]) % 4 // 2]  # one that exists
    validate(case, notifier, issuer.headers("dge_agent"))
