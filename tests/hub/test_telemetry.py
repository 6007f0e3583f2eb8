"""OpenTelemetry: a span per hop (receive, hub, deliver) in one trace, linked by the W3C
traceparent carried in the envelope and sent to the target in the HTTP headers; SOAP calls
(the requests session zeep uses) send it too. The SDK's in-memory exporter collects them. With
nothing exporting, a hop is only its ids (no SDK span), and the trace still travels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanKind

from hub import telemetry
from hub.toolkit import CappedSession
from tests.factories import envelope, swedish_case
from tests.hub.ops.conftest import hub_settings
from tests.support.hubrun import running_hub, wait_until
from tests.support.sink import Sink


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    telemetry.export_to(exporter)
    try:
        yield exporter
    finally:
        telemetry.stop_exporting()  # later tests of this process make spans of ids only


def _ctx(traceparent: str) -> tuple[str, str]:
    """(trace id, span id) of a traceparent header value."""
    _, trace_id, span_id, _ = traceparent.split("-")
    return trace_id, span_id


UPSTREAM = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _through_the_hub(tmp_path: Path, n: int) -> tuple[dict[str, Any], dict[str, str]]:
    """A case with the upstream traceparent through an embedded hub to one target: the
    document the target received and the headers of the call."""
    with Sink() as alpha, running_hub(hub_settings(tmp_path, "embedded", "gridhub",
                                                   alpha.url)) as hub:
        message = envelope("case.submitted", swedish_case(n)).model_copy(
            update={"traceparent": UPSTREAM})
        hub.inbound.publish([message])
        wait_until(lambda: alpha.docs(), what="the delivery")
        (doc,) = alpha.docs()
        (headers,) = alpha.state.headers
    return doc, headers


def _hex(number: int, width: int) -> str:
    return format(number, f"0{width}x")


def test_one_trace_from_receive_to_the_target_with_a_span_per_hop(tmp_path, spans):
    with Sink() as alpha:
        alpha.state.fail_next, alpha.state.fail_status = 1, 503  # one retried call
        with running_hub(hub_settings(tmp_path, "embedded", "gridhub", alpha.url)) as hub:
            case = swedish_case(3)
            hub.inbound.publish([envelope("case.submitted", case)])
            wait_until(lambda: alpha.docs(), what="the delivery")
            wait_until(lambda: any(s.name == "deliver alpha" and
                                   dict(s.attributes or {}).get("gridhub.outcome") == "delivered"
                                   for s in spans.get_finished_spans()), what="the spans")
        finished = spans.get_finished_spans()
        (receive,) = [s for s in finished if s.name == "receive case.submitted"]
        (hub_span,) = [s for s in finished if s.name == "hub case.submitted"]
        delivers = [s for s in finished if s.name == "deliver alpha"]
        trace_id = receive.context.trace_id
        assert receive.parent is None and receive.kind == SpanKind.PRODUCER
        assert hub_span.context.trace_id == trace_id
        assert hub_span.parent.span_id == receive.context.span_id
        assert {s.context.trace_id for s in delivers} == {trace_id}
        assert {s.parent.span_id for s in delivers} == {hub_span.context.span_id}
        assert all(s.kind == SpanKind.CLIENT for s in delivers)
        outcomes = [dict(s.attributes or {})["gridhub.outcome"] for s in delivers]
        assert outcomes[-1] == "delivered"
        # the 503 is an exception event on a deliver span, its status an error
        failed = [s for s in delivers if any(e.name == "exception" for e in s.events)]
        assert failed and "503" in failed[0].status.description
        assert dict(delivers[-1].attributes or {})["gridhub.route"] == "submitted-to-alpha"
        assert dict(hub_span.attributes or {})["gridhub.case_id"] == case.case_id

        # the target got the deliver span's traceparent, and an envelope that names the hub hop
        sent = [h["traceparent"] for h in alpha.state.headers]
        assert len(sent) == 2  # the 503, then the delivery
        assert {_ctx(h)[0] for h in sent} == {_hex(trace_id, 32)}
        assert _ctx(sent[-1]) == (_hex(trace_id, 32), _hex(delivers[-1].context.span_id, 16))
        (doc,) = alpha.docs()
        assert _ctx(doc["traceparent"]) == (_hex(trace_id, 32),
                                            _hex(hub_span.context.span_id, 16))


def test_a_message_that_comes_with_a_traceparent_continues_its_trace(tmp_path, spans):
    doc, _ = _through_the_hub(tmp_path, 4)
    assert _ctx(doc["traceparent"])[0] == "4bf92f3577b34da6a3ce929d0e0e4736"
    (receive,) = [s for s in spans.get_finished_spans() if s.name.startswith("receive")]
    assert _hex(receive.parent.span_id, 16) == "00f067aa0ba902b7"


def test_soap_and_xml_calls_send_the_traceparent_of_the_span_in_hand(spans):
    with Sink() as target:
        with telemetry.span("deliver kis", None) as current:
            CappedSession().post(target.url, data=b"{}", headers={"Content-Type": "x"})
        (headers,) = target.state.headers
        context = current.get_span_context()
        assert _ctx(headers["traceparent"]) == (_hex(context.trace_id, 32),
                                                _hex(context.span_id, 16))
        assert headers["content-type"] == "x"  # the caller's headers are kept


def test_outside_a_span_no_traceparent_is_sent(spans):
    assert telemetry.trace_headers() == {}
    assert telemetry.current_traceparent() is None and telemetry.current_trace_id() is None


class _Collector:
    """An OTLP/HTTP receiver on loopback: what the exporter posts to /v1/traces."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: list[tuple[str, str, bytes]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1/traces"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_spans_are_exported_over_otlp_when_an_endpoint_is_set(tmp_path):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    collector = _Collector()
    try:
        telemetry.configure(collector.url)
        with Sink() as alpha:
            settings = hub_settings(tmp_path, "embedded", "gridhub", alpha.url)
            with running_hub(settings) as hub:
                hub.inbound.publish([envelope("case.submitted", swedish_case(5))])
                wait_until(lambda: alpha.docs(), what="the delivery")
            # the hub's stop flushed the batched spans to the collector
        names = set()
        for path, content_type, body in collector.received:
            assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
            request = ExportTraceServiceRequest.FromString(body)
            for resource_spans in request.resource_spans:
                service = {a.key: a.value.string_value
                           for a in resource_spans.resource.attributes}["service.name"]
                assert service == "gridhub"
                names |= {s.name for scope in resource_spans.scope_spans for s in scope.spans}
        assert {"receive case.submitted", "hub case.submitted", "deliver alpha"} <= names
    finally:
        telemetry.stop_exporting()  # later tests of this process export nowhere
        collector.close()


@pytest.mark.parametrize("incoming", [
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",  # not sampled upstream
])
def test_the_read_of_a_traceparent_agrees_with_the_propagator(spans, incoming):
    with telemetry.span("hop", incoming):
        ours = telemetry.current_traceparent()
        assert ours == telemetry.trace_headers().get("traceparent")
    assert _ctx(ours)[0] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert ours[-2:] == incoming[-2:]  # upstream's sampling decision is kept
    finished = spans.get_finished_spans()
    if incoming.endswith("-01"):
        assert _hex(finished[0].parent.span_id, 16) == "00f067aa0ba902b7"
    else:  # not sampled upstream: made (the logs' trace id) but not exported
        assert finished == ()


def test_an_invalid_traceparent_starts_a_new_trace(spans):
    zeros = "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
    with telemetry.span("hop", zeros):
        ours = telemetry.current_traceparent()
    (finished,) = spans.get_finished_spans()
    assert finished.parent is None and _ctx(ours)[0] != "0" * 32


def test_with_nothing_exporting_a_child_hop_keeps_the_trace_and_the_traceparent_travels():
    with telemetry.span("hub case.submitted", UPSTREAM, attributes={"gridhub.case_id": "c"}) \
            as hop:
        assert isinstance(hop, NonRecordingSpan) and not hop.is_recording()
        ours = telemetry.current_traceparent()
        assert telemetry.trace_headers() == {"traceparent": ours}
        assert telemetry.current_trace_id() == "4bf92f3577b34da6a3ce929d0e0e4736"
        hop.set_attribute("gridhub.outcome", "delivered")  # callers need no check
        telemetry.failed(hop, RuntimeError("503"))
    trace_id, span_id = _ctx(ours)
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span_id not in ("00f067aa0ba902b7", "0" * 16)
    assert ours[-2:] == "01"  # sampled upstream, sampled here
    assert telemetry.current_traceparent() is None  # the block's span is gone with it
    # the next hop (another process) reads ours: same trace, its own span
    with telemetry.span("deliver alpha", ours):
        theirs = telemetry.current_traceparent()
    assert _ctx(theirs)[0] == trace_id and _ctx(theirs)[1] not in (span_id, "0" * 16)


def test_with_nothing_exporting_a_root_hop_starts_a_trace_as_the_sdk_would():
    with telemetry.span("receive case.submitted", None) as first:
        one = telemetry.current_traceparent()
    with telemetry.span("receive case.submitted", None):
        two = telemetry.current_traceparent()
    assert isinstance(first, NonRecordingSpan)
    assert _ctx(one)[0] != _ctx(two)[0] and "0" * 32 not in (_ctx(one)[0], _ctx(two)[0])
    assert one[-2:] == "03"  # sampled, random trace id: the SDK's flags for a root


def test_with_nothing_exporting_the_trace_reaches_the_target_across_the_broker(tmp_path):
    doc, headers = _through_the_hub(tmp_path, 6)
    hub_hop, deliver_hop = _ctx(doc["traceparent"]), _ctx(headers["traceparent"])
    assert hub_hop[0] == deliver_hop[0] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert len({hub_hop[1], deliver_hop[1], "00f067aa0ba902b7"}) == 3  # a span id per hop


def test_spans_are_recorded_only_while_a_processor_is_registered():
    exporter = InMemorySpanExporter()
    with telemetry.span("before", None) as before:
        pass
    telemetry.export_to(exporter)
    try:
        with telemetry.span("during", UPSTREAM, attributes={"gridhub.route": "r"}) as during:
            pass
    finally:
        telemetry.stop_exporting()
    with telemetry.span("after", UPSTREAM) as after:
        pass
    assert not before.is_recording() and not after.is_recording()
    (recorded,) = exporter.get_finished_spans()
    assert recorded.name == "during" and recorded.context == during.get_span_context()
    assert dict(recorded.attributes or {}) == {"gridhub.route": "r"}
    assert _hex(recorded.parent.span_id, 16) == "00f067aa0ba902b7"
