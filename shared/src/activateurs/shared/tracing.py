"""Distributed tracing (OpenTelemetry): off unless the OTEL_ variables ask for it, set up by one call at start.

On when OTEL_TRACES_EXPORTER names an exporter (`otlp`, `console`) or an OTLP endpoint is set
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_TRACES_EXPORTER=none or
OTEL_SDK_DISABLED=true keep it off. Off (the default), the SDK is not even imported and nothing is
instrumented: every helper below is a shared `nullcontext` or returns None.

On, `configure(service)` installs the SDK (tracing_sdk.py: OTLP over HTTP/protobuf, batch export, the
OTEL_TRACES_SAMPLER sampler) and instruments asyncpg (statements, never their parameters), httpx and aiohttp
clients; `instrument_app` adds the HTTP server spans, `instrument_broker` FastStream's publish and consume spans.
A context crosses the asynchronous hops as a W3C carrier (`{"traceparent", "tracestate"}` in JSON text), stored
beside each outbox row and each stored email: the relay's publish (and so the AMQP headers the consumer reads)
and the notifier's SMTP send, later and in another loop, continue the trace of the request that caused them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from fastapi import FastAPI
    from faststream.rabbit import RabbitBroker

ENABLED = False  # set once by configure(); the hot paths read it before doing anything else
_NOTHING: AbstractContextManager[Any] = nullcontext()
_W3C = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("activateurs")  # a proxy: it uses the provider configure() installs
# Health probes and scrapes come every few seconds and tell nothing about a request's path.
DEFAULT_EXCLUDED_URLS = "/health/,/metrics"


def exporter_names(environ: Mapping[str, str] = os.environ) -> list[str]:
    return [name.strip().lower() for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if name.strip()]


def requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the OTEL_ variables turn tracing on (off by default: no exporter is named)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    names = exporter_names(environ)
    if names:
        return any(name != "none" for name in names)
    return bool(environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def configure(service: str) -> bool:
    """Set up tracing for this process if the OTEL_ variables ask for it; True when on. Idempotent.

    `service` is the default OTEL_SERVICE_NAME. Call it before the app serves (the clients it instruments are
    patched at class level, so ones made earlier are traced too)."""
    global ENABLED
    if ENABLED:
        return True
    if not requested():
        return False
    from . import tracing_sdk

    tracing_sdk.install(service)
    ENABLED = True
    return True


def flush(timeout_millis: int = 5000) -> None:
    """Export what is still buffered (a stopping process; the SDK does it at exit too)."""
    if ENABLED:
        from . import tracing_sdk

        tracing_sdk.flush(timeout_millis)


def instrument_app(app: FastAPI) -> None:
    """HTTP server spans for `app`: one per request (not per ASGI message), continuing an incoming `traceparent`."""
    if not ENABLED:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    excluded = (os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS") or os.environ.get("OTEL_PYTHON_EXCLUDED_URLS")
                or DEFAULT_EXCLUDED_URLS)
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded, exclude_spans=["receive", "send"])


def instrument_broker(broker: RabbitBroker) -> None:
    """FastStream's RabbitMQ spans: publish (the context injected as `traceparent` headers), consume (extracted)."""
    if not ENABLED:
        return
    from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware

    # Outermost, so FastStream's own "Received"/"Processed" log lines carry the consume span's ids.
    broker.insert_middleware(RabbitTelemetryMiddleware())


# --- a context carried across the outbox, the queue and the stored email ------------------------------------------

def carrier() -> str | None:
    """The current span's context as W3C headers in JSON text; None without an active span, or tracing off."""
    if not ENABLED:
        return None
    headers: dict[str, str] = {}
    _W3C.inject(headers)
    return json.dumps(headers, separators=(",", ":")) if headers else None


def _extracted(stored: str | None) -> otel_context.Context | None:
    if not stored:
        return None
    try:
        headers = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(headers, dict):
        return None
    context = _W3C.extract(headers)
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def attached(stored: str | None) -> AbstractContextManager[Any]:
    """Run a block in the context a `carrier()` saved (the relay publishing an outbox row)."""
    if not ENABLED or not stored:
        return _NOTHING
    return _attached(stored)


@contextmanager
def _attached(stored: str) -> Iterator[None]:
    extracted = _extracted(stored)
    if extracted is None:
        yield
        return
    token = otel_context.attach(extracted)
    try:
        yield
    finally:
        otel_context.detach(token)


def outbox_write(events: Sequence[Any], origins: Sequence[str | None] | None = None,
                 ) -> AbstractContextManager[list[str | None] | None]:
    """An "outbox write" span around writing `events`, yielding the carrier to store with each (or None).

    `origins`, one per event, names the trace each belongs to (a carrier saved earlier, None: no trace) when one
    transaction writes the events of several traces (group commits: the requests of a batch, the mails whose
    outcomes are recorded together); without it, every event belongs to the current span's trace. An event of
    no trace (a background loop's) gets no carrier; its publish by the relay starts its trace.
    """
    if not ENABLED:
        return _NOTHING
    if origins is None:
        if not trace.get_current_span().get_span_context().is_valid:
            return _NOTHING
        return _outbox_write(events, [_CURRENT] * len(events))
    if not any(origins):
        return _NOTHING
    return _outbox_write(events, origins)


_CURRENT = "current"  # an origin meaning: the current span's trace


@contextmanager
def _outbox_write(events: Sequence[Any], origins: Sequence[str | None]) -> Iterator[list[str | None]]:
    groups: dict[str, list[Any]] = {}
    for event, origin in zip(events, origins, strict=True):
        if origin:
            groups.setdefault(origin, []).append(event)
    spans, carriers = [], {}
    for origin, grouped in groups.items():
        parent = None if origin == _CURRENT else _extracted(origin)
        if parent is None and origin != _CURRENT:
            continue
        started = _tracer.start_span("outbox write", context=parent, kind=SpanKind.INTERNAL, attributes={
            "messaging.system": "rabbitmq", "messaging.batch.message_count": len(grouped),
            "activateurs.outbox.routing_keys": sorted({event.routing_key for event in grouped})})
        spans.append(started)
        headers: dict[str, str] = {}
        _W3C.inject(headers, context=trace.set_span_in_context(started, parent))
        carriers[origin] = json.dumps(headers, separators=(",", ":"))
    try:
        if len(spans) == 1 and origins[0] == _CURRENT:
            # The usual case (one trace): the statement's own span is a child of the outbox write's.
            with trace.use_span(spans[0], end_on_exit=False):
                yield [carriers.get(origin) if origin else None for origin in origins]
        else:
            yield [carriers.get(origin) if origin else None for origin in origins]
    finally:
        for started in spans:
            started.end()


def span(name: str, *, parent: str | None = None, kind: SpanKind = SpanKind.INTERNAL,
         attributes: Mapping[str, Any] | None = None) -> AbstractContextManager[Any]:
    """A span, child of a saved carrier (`parent`) or else of the current span; without either, none (a poll
    starts no trace), nor when tracing is off. Exceptions are not recorded: their text may quote input."""
    if not ENABLED:
        return _NOTHING
    context = _extracted(parent)
    if context is None and not trace.get_current_span().get_span_context().is_valid:
        return _NOTHING
    return _tracer.start_as_current_span(name, context=context, kind=kind, attributes=attributes,
                                         record_exception=False, set_status_on_exception=False)


def failed(current: Any, kind: str) -> None:
    """Mark the span `span()` gave as failed, with a kind of error (a word of ours, never a server's text)."""
    if current is not None:
        current.set_status(Status(StatusCode.ERROR, kind))
