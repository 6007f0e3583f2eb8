import socket

import pytest

from connectors.webhook import WebhookConnector
from hub.errors import (
    ConfigurationError,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from schemas.envelope import Envelope
from tests.support.sink import Sink


class NoInbound:
    def publish(self, messages):
        raise AssertionError("the webhook connector publishes nothing inbound")


def _msg():
    return Envelope(case_id="SE-2026-000117", type="case.note.added", source="elsmart",
                    payload={"note": {"subject": "Mätarplats", "text": "Mätarskåp på gaveln"}})


@pytest.fixture
def sink():
    with Sink() as s:
        yield s


def test_delivers_json_with_idempotency_key(sink):
    msg = _msg()
    assert WebhookConnector({"url": sink.url}, NoInbound()).deliver(msg) == []
    assert sink.docs()[0]["message_id"] == msg.message_id
    assert sink.state.keys[msg.message_id] == 1


def test_5xx_is_transient_with_remote_fault(sink):
    sink.state.fail_next, sink.state.fail_status = 1, 503
    with pytest.raises(TargetServerError) as info:
        WebhookConnector({"url": sink.url}, NoInbound()).deliver(_msg())
    assert info.value.remote.status == "503"
    assert "sink told to fail" in info.value.remote.body_excerpt


def test_4xx_is_permanent(sink):
    sink.state.fail_always = 422
    with pytest.raises(TargetRejected) as info:
        WebhookConnector({"url": sink.url}, NoInbound()).deliver(_msg())
    assert info.value.remote.status == "422"


def test_429_is_transient(sink):
    sink.state.fail_next, sink.state.fail_status = 1, 429
    with pytest.raises(TargetServerError):
        WebhookConnector({"url": sink.url}, NoInbound()).deliver(_msg())


def test_refused_connection_is_transient():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TargetUnavailable):
        WebhookConnector({"url": f"http://127.0.0.1:{port}/x"}, NoInbound()).deliver(_msg())


def test_timeout_is_transient():
    with socket.socket() as server:  # accepts, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/x"
        with pytest.raises(TargetTimeout, match=r"0\.3s"):
            WebhookConnector({"url": url, "timeout": 0.3}, NoInbound()).deliver(_msg())


def test_bad_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="url: must be http"):
        WebhookConnector({"url": "ftp://x"}, NoInbound())
