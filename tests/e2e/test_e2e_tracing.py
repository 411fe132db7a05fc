"""Distributed tracing across the five real processes, exporting OTLP/HTTP to a receiver on loopback.

One acceptance is one trace from validation's decision through directory, registration, contact-relay and the
notifier's SMTP send; one contact request is one trace from contact-relay's HTTP span to the notifier's SMTP
span; parent links are unbroken across RabbitMQ (the outbox carries the context, the AMQP headers too);
a log line written inside a traced request carries its ids; no span carries personal data.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.journeys import Person, accepted_structure, business, dge_agent
from tests.support.infra import create_vhost, delete_vhost
from tests.support.otlp import OtlpReceiver, ReceivedSpan, ancestors
from tests.support.platform import SERVICES, Platform
from tests.support.waiting import eventually

DECISION_ROUTE = "/api/v1/dossiers/{dossier_id}/decision"


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    running = OtlpReceiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
async def platform(databases, tmp_path_factory, receiver) -> AsyncIterator[Platform]:
    """The five services with tracing on (standard OTEL_ variables only), exporting every 100 ms."""
    name, vhost = create_vhost()
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_TRACES_EXPORTER": "otlp",
           "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_TRACES_SAMPLER": "parentbased_always_on"}
    try:
        async with Platform(databases, vhost, tmp_path_factory.mktemp("tracing"), env=env) as running:
            yield running
    finally:
        delete_vhost(name)


@pytest.fixture(scope="module")
async def published(platform) -> tuple[Person, str]:
    """A structure accepted and published (the journey every test here starts from): the referent, its slug."""
    person = Person.unusual()
    _, slug = await accepted_structure(platform, person, f"Atelier Traçable {person.last_name}",
                                       await dge_agent(platform))
    return person, slug


def server_span(receiver: OtlpReceiver, service: str, method: str, route: str) -> ReceivedSpan | None:
    found = [span for span in receiver.spans if span.service == service and span.kind == "SERVER"
             and span.attributes.get("http.route") == route
             and span.attributes.get("http.request.method", span.attributes.get("http.method")) == method]
    assert len(found) <= 1, f"{len(found)} {method} {route} server spans; the test expects one"
    return found[0] if found else None


def complete(receiver: OtlpReceiver, root: ReceivedSpan, services: set[str]) -> list[ReceivedSpan] | None:
    """`root`'s trace once it reaches every one of `services` and ends in SMTP sends whose every ancestor
    was exported back to `root` (the links unbroken); None until then."""
    spans = receiver.trace(root.trace_id)
    sends = [span for span in spans if span.name == "smtp send"]
    if not sends or not services <= {span.service for span in spans}:
        return None
    chains = [ancestors(span, spans) for span in spans]
    if any(chain is None for chain in chains):
        return None
    return spans


async def test_an_acceptance_is_one_trace_through_the_five_services(platform, receiver, published):
    decision = await eventually(lambda: server_span(receiver, "validation", "POST", DECISION_ROUTE), timeout=30,
                                what="validation's decision server span")
    assert decision.is_root, "the decision's HTTP span starts the trace (the test's own request is not traced)"

    spans = await eventually(lambda: complete(receiver, decision, set(SERVICES)), timeout=45, interval=0.2,
                             what="the acceptance's trace through every service, down to an SMTP send")
    roots = [span for span in spans if span.is_root]
    assert roots == [decision], f"one root only, the decision: {[(s.service, s.name) for s in roots]}"
    by_service = {service: {span.kind for span in spans if span.service == service} for service in SERVICES}
    for service in ("registration", "directory", "contact-relay", "notifier"):
        assert "CONSUMER" in by_service[service], f"{service} consumed the acceptance's events in its trace"
    assert {"PRODUCER", "INTERNAL"} <= by_service["validation"], "validation's outbox write and publish"
    assert any(span.name == "outbox write" and span.service == "validation" for span in spans)
    assert any(span.service == "validation" and span.attributes.get("db.system") == "postgresql"
               for span in spans), "the decision's SQL statements are spans of its trace"
    # Each SMTP send descends, through the notifier's consume span and RabbitMQ, from the decision.
    for send in (span for span in spans if span.name == "smtp send"):
        chain = ancestors(send, spans)
        assert chain is not None and chain[-1] == decision
        assert [span.kind for span in chain[1:] if span.service == "notifier"][:1] == ["CONSUMER"]
        assert send.service == "notifier" and send.kind == "CLIENT" and send.status != "ERROR"


async def test_a_contact_request_is_one_trace_from_its_http_span_to_the_smtp_sends(platform, receiver, published):
    person, slug = published
    request = business(slug)
    answer = await platform.contact_relay.post("/api/v1/contact-requests", json=request)
    assert answer.status_code == 202, answer.text
    await platform.mail(request["email"], "contact_confirmation")
    await platform.mail(person.email, "contact_forwarded")

    intake = await eventually(lambda: server_span(receiver, "contact-relay", "POST", "/api/v1/contact-requests"),
                              timeout=30, what="contact-relay's intake server span")
    assert intake.is_root

    def both_sends() -> list[ReceivedSpan] | None:
        spans = complete(receiver, intake, {"contact-relay", "notifier", "directory"})
        templates = {span.attributes.get("activateurs.email.template") for span in spans or ()
                     if span.name == "smtp send"}
        return spans if {"contact_confirmation", "contact_forwarded"} <= templates else None

    spans = await eventually(both_sends, timeout=30, interval=0.2,
                             what="the contact request's trace down to both SMTP sends")
    assert [span for span in spans if span.is_root] == [intake]
    for send in (span for span in spans if span.name == "smtp send"):
        chain = ancestors(send, spans)
        assert chain is not None and chain[-1] == intake
        hops = [(span.service, span.kind) for span in chain]
        assert ("notifier", "CONSUMER") in hops and ("contact-relay", "PRODUCER") in hops, hops
    # The mails of this request are in this trace and in no other.
    elsewhere = [span for span in receiver.spans if span.name == "smtp send" and span.trace_id != intake.trace_id
                 and span.attributes.get("activateurs.email.template") in ("contact_confirmation", "contact_forwarded")]
    assert elsewhere == []

    # No span says who the business or the referent is, nor quotes a query string or a client address.
    for span in receiver.spans:
        text = json.dumps(span.attributes, ensure_ascii=False)
        for personal in (request["email"], request["contact_name"], request["company_name"], person.email,
                         person.last_name, request["message"]):
            assert personal not in text, f"{personal!r} in {span.service} span {span.name}: {text}"
        assert "client.address" not in span.attributes and "net.peer.ip" not in span.attributes
        assert "db.statement.parameters" not in span.attributes
        for key in ("http.url", "url.full", "http.target"):
            assert "?" not in str(span.attributes.get(key, "")), f"{key} kept its query: {span.attributes[key]}"
    assert receiver.content_types == {"application/x-protobuf"}, "OTLP over HTTP/protobuf"


async def test_a_log_line_written_in_a_traced_request_carries_its_trace_id(platform, receiver, published):
    # Validation fetched registration's JWKS (httpx logs the call) while serving the DGE's first request.
    lines = [json.loads(line) for line in platform.log_text("validation").splitlines() if line.startswith("{")]
    traced = [line for line in lines if line.get("logger") == "httpx" and "jwks.json" in line["message"]]
    assert traced, "validation logged its JWKS fetch"
    line = traced[0]
    assert len(line.get("trace_id", "")) == 32 and len(line.get("span_id", "")) == 16, line
    spans = await eventually(lambda: [span for span in receiver.trace(line["trace_id"])
                                      if span.span_id == line["span_id"]], timeout=10, what="the log line's span")
    assert spans[0].service == "validation"
    root = ancestors(spans[0], receiver.trace(line["trace_id"]))
    assert root is not None and root[-1].kind == "SERVER" and root[-1].service == "validation"
    untraced = [line for line in lines if line.get("logger") == "httpx" and "trace_id" not in line]
    assert untraced == [], "every outgoing call of validation was inside a trace here"
