"""Hostile targets for the webhook connector: wrong credentials, redirects, huge or binary
error bodies, refusals. Each is a gridhub error naming the target; credentials never leave for
another host; the next good delivery still flows."""

from __future__ import annotations

import threading

import pytest

from connectors.webhook import WebhookConnector
from hub.errors import TargetRejected, TargetServerError
from hub.toolkit.inbound import Credentials, InboundServer, Request, Response
from tests.factories import envelope, swedish_case

TOKEN = "webhook-token-5"
MESSAGE = envelope("case.note.added", swedish_case(9))


class NoInbound:
    def publish(self, messages):
        raise AssertionError("the webhook connector publishes nothing inbound")


class Target:
    """A real HTTP target requiring a bearer token; answers what the test sets."""

    def __init__(self) -> None:
        self.answer: Response | None = None
        self.received: list[Request] = []
        self.lock = threading.Lock()
        self.server = InboundServer(self.handle, Credentials(token=TOKEN)).start()

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.received.append(request)
        return self.answer or Response(200, b'{"ok": true}')


class Elsewhere:
    """Another host a hostile target redirects to: it must never see our credentials."""

    def __init__(self) -> None:
        self.seen: list[Request] = []
        self.server = InboundServer(lambda r: (self.seen.append(r), Response(200))[1], None).start()


@pytest.fixture
def target():
    t = Target()
    yield t
    t.server.stop()


@pytest.fixture
def elsewhere():
    e = Elsewhere()
    yield e
    e.server.stop()


def _connector(target: Target, **settings) -> WebhookConnector:
    return WebhookConnector({"url": target.server.url + "/in", "timeout": 2, "token": TOKEN,
                             **settings}, NoInbound())


@pytest.mark.parametrize("settings", [{"token": "wrong"}, {"token": None},
                                      {"token": None, "username": "u", "password": "p"}])
def test_wrong_credentials_are_rejected_and_the_next_delivery_flows(target, settings):
    with pytest.raises(TargetRejected) as info:
        _connector(target, **settings).deliver(MESSAGE)
    assert info.value.remote.status == "401"
    assert target.server.url in (info.value.where or "")
    assert target.received == []
    assert _connector(target).deliver(MESSAGE) == []
    assert len(target.received) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_credentials_stay_home(target, elsewhere, status):
    target.answer = Response(status, b"", headers={"Location": elsewhere.server.url + "/steal"})
    with pytest.raises(TargetRejected) as info:
        _connector(target).deliver(MESSAGE)
    assert f"HTTP {status}" in info.value.message and "redirect" in info.value.message
    assert elsewhere.seen == []


@pytest.mark.parametrize("status, error", [(413, TargetRejected), (400, TargetRejected),
                                           (500, TargetServerError), (429, TargetServerError)])
def test_a_huge_binary_error_body_is_kept_bounded(target, status, error):
    target.answer = Response(status, b"\xff\x00" * (3 * 1024 * 1024), "application/octet-stream")
    with pytest.raises(error) as info:
        _connector(target).deliver(MESSAGE)
    assert info.value.remote.status == str(status)
    assert len(info.value.remote.body_excerpt or "") <= 2048
    target.answer = None
    assert _connector(target).deliver(MESSAGE) == []
