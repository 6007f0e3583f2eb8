"""Property-based: a canonical message delivered by the webhook connector arrives as JSON that
parses back to the same message (the webhook's wire format is the canonical contract itself),
with the headers a receiver dedupes and routes on."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.webhook import WebhookConnector
from hub.toolkit.inbound import InboundServer, Request, Response
from schemas.envelope import Envelope
from schemas.message_types import MessageType
from tests.factories import T0, block_case, envelope, norwegian_case, swedish_case

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
cases = st.one_of(st.builds(swedish_case, st.integers(0, 500)),
                  st.builds(norwegian_case, st.integers(0, 500)),
                  st.builds(block_case, st.integers(2, 4), st.integers(0, 50)))


class NoInbound:
    def publish(self, messages):
        raise AssertionError("the webhook connector publishes nothing inbound")


class Recorder:
    def __init__(self) -> None:
        self.last: Request | None = None
        self.lock = threading.Lock()
        self.server = InboundServer(self.handle, None).start()

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.last = request
        return Response(204)


@pytest.fixture(scope="module")
def recorder():
    r = Recorder()
    yield r
    r.server.stop()


@FAST
@given(type_=st.sampled_from(sorted(MessageType)), case=cases,
       micros=st.integers(0, 10**12), caused=st.booleans())
def test_delivered_json_is_the_message(recorder, type_, case, micros, caused):
    at = T0 + timedelta(microseconds=micros)
    original = envelope(type_, case, occurred_at=at,
                        causation_id="c-4711" if caused else None)
    conn = WebhookConnector({"url": recorder.server.url + "/in", "timeout": 5}, NoInbound())
    assert conn.deliver(original) == []
    request = recorder.last
    assert request is not None
    assert Envelope.model_validate_json(request.body) == original
    assert request.headers["idempotency-key"] == original.message_id
    assert request.headers["x-gridhub-case-id"] == original.case_id
    assert request.headers["x-gridhub-type"] == original.type
