"""The OpenTelemetry SDK's set-up for tracing.py: imported only once tracing is on (its import is not free).

Exporters from OTEL_TRACES_EXPORTER (`otlp` over HTTP/protobuf, `console`), each behind a batch processor
(OTEL_BSP_*) and a filter that removes personal data; the sampler OTEL_TRACES_SAMPLER names, wrapped so that
background polls are not traced; the client libraries instrumented.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, Status
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from . import logging as service_logging
from .tracing import exporter_names

log = logging.getLogger(__name__)

_provider: TracerProvider | None = None


def install(service: str) -> TracerProvider:
    """The global tracer provider, its exporters, and the client instrumentations."""
    global _provider
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    attributes = {"service.namespace": "activateurs"}
    if not os.environ.get("OTEL_SERVICE_NAME") and "service.name=" not in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", ""):
        attributes["service.name"] = service
    # The sampler OTEL_TRACES_SAMPLER(_ARG) names (parentbased_always_on by default), read as the SDK reads it.
    configured = TracerProvider(shutdown_on_exit=False).sampler
    provider = TracerProvider(resource=Resource.create(attributes), sampler=QuietBackground(configured))
    names = exporter_names() or ["otlp"]
    for exporter in _exporters(names):
        provider.add_span_processor(BatchSpanProcessor(WithoutPersonalData(exporter)))
    trace.set_tracer_provider(provider)
    _provider = provider
    AsyncPGInstrumentor(capture_parameters=False).instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    AioHttpClientInstrumentor().instrument(tracer_provider=provider, url_filter=without_query)
    service_logging.include_trace_ids()
    log.info("tracing on: exporters %s, sampler %s", ",".join(names), provider.sampler.get_description())
    return provider


def _exporters(names: Sequence[str]) -> list[SpanExporter]:
    found: list[SpanExporter] = []
    for name in names:
        if name == "otlp":
            protocol = (os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                        or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
            if protocol != "http/protobuf":
                log.warning("tracing: OTLP over %s is not installed; exporting over http/protobuf", protocol)
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            found.append(OTLPSpanExporter())  # endpoint, headers, timeout, compression: OTEL_EXPORTER_OTLP_*
        elif name == "console":
            found.append(ConsoleSpanExporter())
        elif name != "none":
            log.warning("tracing: OTEL_TRACES_EXPORTER %r is not supported here; ignored", name)
    return found


def flush(timeout_millis: int) -> None:
    if _provider is not None:
        _provider.force_flush(timeout_millis)


def without_query(url: Any) -> str:
    return str(url).split("?", 1)[0]


class QuietBackground(Sampler):
    """The configured sampler, except that a database statement outside any trace is not recorded.

    Relay and sender polls, deadline sweeps, the backlog gauges and health probes query the database every
    second or so in every replica: each would otherwise be a trace of its own, drowning the requests' traces.
    """

    def __init__(self, inner: Sampler) -> None:
        self._inner = inner

    def should_sample(self, parent_context: Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None,
                      links: Sequence[Link] | None = None, trace_state: TraceState | None = None) -> SamplingResult:
        if attributes and ("db.system" in attributes or "db.system.name" in attributes) \
                and not trace.get_current_span(parent_context).get_span_context().is_valid:
            return SamplingResult(Decision.DROP)
        return self._inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"QuietBackground{{{self._inner.get_description()}}}"


# What instrumentations record that could name or locate a person: removed before export.
DROPPED_ATTRIBUTES = frozenset({
    "net.peer.ip", "net.sock.peer.addr", "client.address", "client.port", "http.client_ip", "net.peer.port",
    "network.peer.address", "network.peer.port", "url.query", "db.statement.parameters", "enduser.id",
})
# URLs keep their path (route parameters are ids and slugs), never their query (one-click tokens, searches).
URL_ATTRIBUTES = frozenset({"http.url", "url.full", "http.target"})
_EVENT_TEXTS = frozenset({"exception.message", "exception.stacktrace"})
_QUERY = re.compile(r"\?.*\Z", re.DOTALL)


def clean_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if key in DROPPED_ATTRIBUTES:
            continue
        if isinstance(value, str):
            value = _QUERY.sub("", value) if key in URL_ATTRIBUTES else service_logging.redact(value)
        cleaned[key] = value
    return cleaned


def cleaned(span: ReadableSpan) -> ReadableSpan:
    """The span as it may leave the process: no client address, no query string, texts redacted as logs are."""
    events = [Event(event.name, {key: service_logging.redact(value) if key in _EVENT_TEXTS and isinstance(value, str)
                                 else value for key, value in (event.attributes or {}).items()}, event.timestamp)
              for event in span.events]
    status = span.status
    if status.description:
        status = Status(status.status_code, service_logging.redact(status.description))
    return ReadableSpan(
        name=span.name, context=span.context, parent=span.parent, resource=span.resource,
        attributes=clean_attributes(span.attributes), events=events, links=span.links, kind=span.kind,
        status=status, start_time=span.start_time, end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope)


class WithoutPersonalData(SpanExporter):
    """Wraps an exporter; runs in the batch processor's thread, off the request path."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([cleaned(span) for span in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)
