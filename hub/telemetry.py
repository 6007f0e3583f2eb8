"""OpenTelemetry: a span per hop of a message, one trace from the connector that took it in
to every target it reached, across processes.

The trace context travels as a W3C ``traceparent``: in the envelope (``Envelope.traceparent``,
so it survives the broker, the store's outbox and the scheduler's retries) and in the HTTP and
SOAP headers of every call to a target (:func:`trace_headers`). Hops: ``receive`` (a connector
publishes into the hub), ``hub`` (idempotency, projection, routing: its outputs carry its
context), ``deliver`` (the calls to one target, retries within it as events).

gridhub keeps its own ``TracerProvider`` (not the process-wide one, which can be set only once
and belongs to whoever embeds gridhub). Spans always exist, so logs carry a trace id; they are
exported over OTLP/HTTP only when ``otlp_endpoint`` is set (:func:`configure`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from hub import __version__

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_PROVIDER = TracerProvider(resource=Resource.create(
    {"service.name": "gridhub", "service.version": __version__}))
_TRACER = _PROVIDER.get_tracer("gridhub", __version__)
_lock = threading.Lock()
_exporting: dict[str, SpanProcessor] = {}


def configure(otlp_endpoint: str | None) -> None:
    """Export spans over OTLP/HTTP to ``otlp_endpoint`` (http://collector:4318/v1/traces);
    None exports nothing. Once per endpoint and process: a second hub in a process (tests,
    the demo) does not export every span twice."""
    if not otlp_endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    with _lock:
        if otlp_endpoint in _exporting:
            return
        # Batched, in a thread of the SDK's: a slow collector never slows a delivery.
        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint))
        _exporting[otlp_endpoint] = processor
    _PROVIDER.add_span_processor(processor)


def stop_exporting() -> None:
    """Flush and stop every OTLP export (the provider keeps a stopped processor, idle)."""
    with _lock:
        stopping = list(_exporting.values())
        _exporting.clear()
    for processor in stopping:
        processor.shutdown()


def export_to(exporter: SpanExporter) -> SpanProcessor:
    """Send every finished span to ``exporter`` at once (tests: the SDK's in-memory one)."""
    processor = SimpleSpanProcessor(exporter)
    _PROVIDER.add_span_processor(processor)
    return processor


def flush(timeout_s: float = 5.0) -> bool:
    """Export the finished spans still batched; False if the exporters did not finish in
    time (a collector down must not hold a stopping hub for long)."""
    return _PROVIDER.force_flush(int(timeout_s * 1000))


def _parent(traceparent: str | None) -> Context:
    """The context of ``traceparent``; an empty one (a new trace) when absent or unreadable,
    never the ambient span of whatever thread runs this. Read by hand for the envelope's
    value, which its pattern already checked (the propagator's regex costs ~20 us a hop);
    anything else goes through the propagator."""
    if not traceparent:
        return Context()
    parts = traceparent.split("-")
    if len(parts) == 4 and parts[0] == "00" and len(parts[1]) == 32 and len(parts[2]) == 16:
        try:
            found = SpanContext(int(parts[1], 16), int(parts[2], 16), is_remote=True,
                                trace_flags=TraceFlags(int(parts[3], 16)))
        except ValueError:
            found = None
        if found is not None and found.is_valid:
            return trace.set_span_in_context(NonRecordingSpan(found), Context())
    return _PROPAGATOR.extract({TRACEPARENT: traceparent}, context=Context())


@contextmanager
def span(name: str, traceparent: str | None, *, kind: SpanKind = SpanKind.INTERNAL,
         attributes: Mapping[str, Any] | None = None) -> Iterator[Span]:
    """A span named ``name``, child of ``traceparent`` (a W3C header value), current for the
    block. An exception leaving the block is recorded on it."""
    clean = {k: v for k, v in (attributes or {}).items() if v is not None}
    with _TRACER.start_as_current_span(name, context=_parent(traceparent), kind=kind,
                                       attributes=clean) as found:
        yield found


def failed(current: Span, exc: BaseException) -> None:
    """Record a handled failure (a retried or dead-lettered call) on ``current``."""
    current.record_exception(exc)
    current.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"[:300]))


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to put in an envelope; None outside one."""
    found = trace.get_current_span().get_span_context()
    if not found.is_valid:
        return None
    return f"00-{found.trace_id:032x}-{found.span_id:016x}-{int(found.trace_flags):02x}"


def trace_headers() -> dict[str, str]:
    """``traceparent`` (and ``tracestate``) of the current span, for a call to a target."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier


def current_trace_id() -> str | None:
    """The current trace id (32 hex digits), for the logs; None outside a span."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
