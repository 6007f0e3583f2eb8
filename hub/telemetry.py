"""OpenTelemetry: a span per hop of a message, one trace from the connector that took it in
to every target it reached, across processes.

The trace context travels as a W3C ``traceparent``: in the envelope (``Envelope.traceparent``,
so it survives the broker, the store's outbox and the scheduler's retries) and in the HTTP and
SOAP headers of every call to a target (:func:`trace_headers`). Hops: ``receive`` (a connector
publishes into the hub), ``hub`` (idempotency, projection, routing: its outputs carry its
context), ``deliver`` (the calls to one target, retries within it as events).

gridhub keeps its own ``TracerProvider`` (not the process-wide one, which can be set only once
and belongs to whoever embeds gridhub). Every hop has a span, so logs carry a trace id; spans
are exported over OTLP/HTTP only when ``otlp_endpoint`` is set (:func:`configure`). While no
span processor is registered (no endpoint: the common case) a hop's span is only its ids, a
``NonRecordingSpan`` with the ids and flags the SDK would have given it: an SDK span with its
attributes and processors costs about 20 us a hop, and nothing would read it. The provider
exists only while a processor does, so the check is one read of ``_tracer``, here and not in
the callers.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from hub import __version__

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_RESOURCE = Resource.create({"service.name": "gridhub", "service.version": __version__})
_IDS = RandomIdGenerator()  # the SDK provider's own default, so both paths make the same ids
# The flags the SDK's default sampler (parent-based, always on) and id generator give: a root
# is sampled with a random trace id; a child keeps its parent's two bits. gridhub sets no
# other sampler; an OTEL_TRACES_SAMPLER of an operator's applies while spans are exported.
_ROOT_FLAGS = TraceFlags(TraceFlags.SAMPLED | TraceFlags.RANDOM_TRACE_ID)
_CHILD_FLAGS = TraceFlags.SAMPLED | TraceFlags.RANDOM_TRACE_ID
_lock = threading.Lock()
_exporting: dict[str, SpanProcessor] = {}  # configure's, by endpoint
_processors: list[SpanProcessor] = []  # every live one, configure's and export_to's
_provider: TracerProvider | None = None  # None while _processors is empty
_tracer: Tracer | None = None


def _rebuild() -> None:
    """A provider for the live processors, or none. A new one rather than a processor taken
    out of the old: the SDK's provider can add a processor but never remove one, and a stopped
    processor it kept would warn on every span."""
    global _provider, _tracer
    if not _processors:
        _provider = _tracer = None
        return
    # atexit: our own stop_exporting, once, not one handler per provider ever built
    provider = TracerProvider(resource=_RESOURCE, id_generator=_IDS, shutdown_on_exit=False)
    for processor in _processors:
        provider.add_span_processor(processor)
    _provider, _tracer = provider, provider.get_tracer("gridhub", __version__)


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
        _processors.append(processor)
        _rebuild()


def stop_exporting() -> None:
    """Flush and stop every export (:func:`configure`'s and :func:`export_to`'s): spans are
    only ids again. Also at the process's exit, so the last batch reaches the collector."""
    with _lock:
        stopping = list(_processors)
        _exporting.clear()
        _processors.clear()
        _rebuild()
    for processor in stopping:
        processor.shutdown()


atexit.register(stop_exporting)


def export_to(exporter: SpanExporter) -> SpanProcessor:
    """Send every finished span to ``exporter`` at once (tests: the SDK's in-memory one), until
    :func:`stop_exporting`."""
    processor = SimpleSpanProcessor(exporter)
    with _lock:
        _processors.append(processor)
        _rebuild()
    return processor


def flush(timeout_s: float = 5.0) -> bool:
    """Export the finished spans still batched; False if the exporters did not finish in
    time (a collector down must not hold a stopping hub for long)."""
    provider = _provider
    return provider is None or provider.force_flush(int(timeout_s * 1000))


def _remote(traceparent: str | None) -> SpanContext | None:
    """The span context of ``traceparent``; None (a new trace) when absent or unreadable.
    Read by hand for the envelope's value, which its pattern already checked (the
    propagator's regex costs ~20 us a hop); anything else goes through the propagator."""
    if not traceparent:
        return None
    parts = traceparent.split("-")
    if len(parts) == 4 and parts[0] == "00" and len(parts[1]) == 32 and len(parts[2]) == 16:
        try:
            found = SpanContext(int(parts[1], 16), int(parts[2], 16), is_remote=True,
                                trace_flags=TraceFlags(int(parts[3], 16)))
        except ValueError:
            found = None
        if found is not None and found.is_valid:
            return found
    extracted = _PROPAGATOR.extract({TRACEPARENT: traceparent}, context=Context())
    found = trace.get_current_span(extracted).get_span_context()
    return found if found.is_valid else None


def _parent(traceparent: str | None) -> Context:
    """The context of ``traceparent`` for the SDK; an empty one (a new trace) when absent or
    unreadable, never the ambient span of whatever thread runs this."""
    found = _remote(traceparent)
    if found is None:
        return Context()
    return trace.set_span_in_context(NonRecordingSpan(found), Context())


def _ids_only(traceparent: str | None) -> NonRecordingSpan:
    """The span the SDK would make, without the SDK: the same ids and flags, nothing else."""
    parent = _remote(traceparent)
    if parent is None:
        return NonRecordingSpan(SpanContext(_IDS.generate_trace_id(), _IDS.generate_span_id(),
                                            is_remote=False, trace_flags=_ROOT_FLAGS))
    return NonRecordingSpan(SpanContext(
        parent.trace_id, _IDS.generate_span_id(), is_remote=False,
        trace_flags=TraceFlags(parent.trace_flags & _CHILD_FLAGS),
        trace_state=parent.trace_state))


@contextmanager
def span(name: str, traceparent: str | None, *, kind: SpanKind = SpanKind.INTERNAL,
         attributes: Mapping[str, Any] | None = None) -> Iterator[Span]:
    """A span named ``name``, child of ``traceparent`` (a W3C header value), current for the
    block. An exception leaving the block is recorded on it (when anything exports)."""
    tracer = _tracer
    if tracer is None:
        found: Span = _ids_only(traceparent)
        token = otel_context.attach(trace.set_span_in_context(found))
        try:
            yield found
        finally:
            otel_context.detach(token)
        return
    clean = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer.start_as_current_span(name, context=_parent(traceparent), kind=kind,
                                      attributes=clean) as found:
        yield found


def failed(current: Span, exc: BaseException) -> None:
    """Record a handled failure (a retried or dead-lettered call) on ``current``."""
    if not current.is_recording():
        return  # nothing exports: spare the text of the exception
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
