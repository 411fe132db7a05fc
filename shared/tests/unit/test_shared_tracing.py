"""Tracing's switches and filters: off by default (nothing installed), what leaves a process, what is not traced."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision
from opentelemetry.trace import NonRecordingSpan, SpanContext, Status, StatusCode, TraceFlags

from activateurs.shared import tracing
from activateurs.shared.tracing_sdk import QuietBackground, clean_attributes, cleaned


@pytest.mark.parametrize(("environ", "on"), [
    ({}, False),
    ({"OTEL_SERVICE_NAME": "notifier", "OTEL_TRACES_SAMPLER": "always_on"}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
    ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
    ({"OTEL_TRACES_EXPORTER": "console"}, True),
    ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
    ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
])
def test_tracing_is_on_only_when_an_exporter_or_an_endpoint_is_named(environ, on):
    assert tracing.requested(environ) is on


PROBE = """
import json, sys
import asyncpg
from opentelemetry import trace
from activateurs.notifier.app import create_app
from activateurs.notifier.config import NotifierSettings
from activateurs.shared import tracing

app = create_app(NotifierSettings())
broker = app.state.service.broker
with tracing.outbox_write([object()]) as contexts:
    pass
print(json.dumps({
    "enabled": tracing.ENABLED,
    "sdk_imported": any(name.startswith("opentelemetry.sdk") for name in sys.modules),
    "instrumentations_imported": sorted(n for n in sys.modules if n.startswith("opentelemetry.instrumentation")),
    "provider": type(trace.get_tracer_provider()).__name__,
    "asyncpg_wrapped": hasattr(asyncpg.connection.Connection.execute, "__wrapped__"),
    "middlewares": [m.cls.__name__ for m in app.user_middleware],
    "broker_middlewares": [type(m).__name__ for m in broker.config.broker_middlewares],
    "carrier": tracing.carrier(),
    "contexts": contexts,
}))
"""


def built_app_state(**otel: str) -> dict:
    """What building the notifier's app installs, in a fresh process with only `otel` as OTEL_ variables."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")} | otel
    done = subprocess.run([sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_off_by_default_no_sdk_no_instrumentation_no_exporter():
    """A service built with no OTEL_ variable: the SDK is not even imported, nothing is patched or added."""
    state = built_app_state()
    assert state["enabled"] is False
    assert state["sdk_imported"] is False and state["instrumentations_imported"] == []
    assert state["provider"] == "ProxyTracerProvider", "no tracer provider (so no exporter) installed"
    assert state["asyncpg_wrapped"] is False
    assert not any("OpenTelemetry" in name for name in state["middlewares"]), state["middlewares"]
    assert not any("Telemetry" in name for name in state["broker_middlewares"]), state["broker_middlewares"]
    assert state["carrier"] is None and state["contexts"] is None


def test_on_the_same_build_installs_the_sdk_and_every_instrumentation():
    """The probe above sees what tracing installs (so its "nothing" means something)."""
    state = built_app_state(OTEL_TRACES_EXPORTER="console")
    assert state["enabled"] is True and state["sdk_imported"] is True
    assert state["provider"] == "TracerProvider" and state["asyncpg_wrapped"] is True
    assert "RabbitTelemetryMiddleware" in state["broker_middlewares"]
    assert state["contexts"] is None, "no active span: an outbox write outside a trace carries no context"


def test_personal_data_is_removed_before_export():
    assert clean_attributes({
        "http.url": "http://127.0.0.1:8004/contact-requests/42/acknowledgement?token=secret",
        "http.target": "/api/v1/deliveries?recipient=marcel@boulangerie.fr",
        "url.query": "q=Durand", "client.address": "203.0.113.7", "net.peer.ip": "203.0.113.7",
        "db.statement": "SELECT * FROM emails WHERE recipient = $1",
        "db.statement.parameters": "('marcel@boulangerie.fr',)",
        "activateurs.note": "écrire à marcel@boulangerie.fr ou au 06 12 34 56 78",
        "http.status_code": 202,
    }) == {
        "http.url": "http://127.0.0.1:8004/contact-requests/42/acknowledgement",
        "http.target": "/api/v1/deliveries",
        "db.statement": "SELECT * FROM emails WHERE recipient = $1",
        "activateurs.note": "écrire à [email] ou au [phone]",
        "http.status_code": 202,
    }


def test_an_exception_text_is_redacted_as_a_log_line_is():
    context = SpanContext(0x1234, 0x5678, is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    span = ReadableSpan("INSERT", context=context, attributes={"db.system": "postgresql"},
                        status=Status(StatusCode.ERROR, "UniqueViolation: Key (email)=(a.b@exemple.fr) exists"),
                        events=[Event("exception", {"exception.type": "UniqueViolationError",
                                                    "exception.message": "Key (email)=(a.b@exemple.fr)",
                                                    "exception.stacktrace": "... (email)=(a.b@exemple.fr)"})])
    out = cleaned(span)
    assert out.context == context and out.attributes == {"db.system": "postgresql"}
    assert "a.b@exemple.fr" not in out.status.description and "[email]" in out.status.description
    event = out.events[0].attributes
    assert event["exception.type"] == "UniqueViolationError"
    assert "a.b@exemple.fr" not in event["exception.message"] + event["exception.stacktrace"]


def test_a_database_statement_outside_any_trace_is_not_recorded():
    sampler = QuietBackground(ALWAYS_ON)
    statement = {"db.system": "postgresql", "db.statement": "SELECT 1"}
    assert sampler.should_sample(None, 1, "SELECT", attributes=statement).decision is Decision.DROP
    parent = trace.set_span_in_context(NonRecordingSpan(
        SpanContext(0x1234, 0x5678, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))))
    assert sampler.should_sample(parent, 0x1234, "SELECT", attributes=statement).decision \
        is Decision.RECORD_AND_SAMPLE
    assert sampler.should_sample(None, 1, "POST /api/v1/contact-requests").decision is Decision.RECORD_AND_SAMPLE
