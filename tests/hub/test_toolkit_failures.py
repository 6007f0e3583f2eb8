"""The one classifier (hub.toolkit.failures) and the one HTTP client (hub.toolkit.http): every
connector's failures land in the same place, against a real server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from hub import soap
from hub.errors import (
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from hub.toolkit import HttpClient, failures
from tests.support.canned import CannedServer, canned


@pytest.mark.parametrize(("status", "error"), [
    (400, TargetRejected), (401, TargetRejected), (404, TargetRejected), (422, TargetRejected),
    (408, TargetServerError), (425, TargetServerError), (429, TargetServerError),
    (500, TargetServerError), (503, TargetServerError), (0, TargetServerError),
    (301, TargetRejected), (307, TargetRejected),
])
def test_http_statuses_are_classified_once(status, error):
    found = failures.http_failure(status, where="POST http://x/y", body=b"why" * 2000)
    assert type(found) is error
    assert found.remote is not None and len(found.remote.body_excerpt or "") == 2048


@pytest.mark.parametrize(("code", "error"), [
    ("soap:Client", TargetRejected), ("soap:Client.Auth", TargetRejected),
    ("VersionMismatch", TargetRejected), ("soap:MustUnderstand", TargetRejected),
    ("soap:Server", TargetServerError), ("weird", TargetServerError),
])
def test_soap_faults_are_classified_once(code, error):
    body = soap.fault(code.rpartition(":")[2], "nej")
    found = failures.soap_fault_of(body, where="w")
    assert type(found) is error and "nej" in found.message
    assert found.remote is not None and found.remote.kind == "soap"


def test_a_body_that_only_mentions_fault_is_not_a_fault():
    assert failures.soap_fault_of(b"<r><FaultReport/></r>", where="w") is None
    assert failures.soap_fault_of(b"Fault, not XML", where="w") is None


@pytest.mark.parametrize(("exc", "error"), [
    (requests.ReadTimeout("slow"), TargetTimeout), (TimeoutError(), TargetTimeout),
    (requests.ConnectionError("refused"), TargetUnavailable),
    (ConnectionResetError(), TargetUnavailable), (ValueError("bug"), TargetServerError),
])
def test_exceptions_are_classified_once(exc, error):
    assert type(failures.failure_of(exc, where="w", timeout=2)) is error


@pytest.fixture
def server() -> Iterator[CannedServer]:
    with canned("application/json") as fake:
        fake.answer = (200, b"{}")
        yield fake


def test_the_client_sends_the_idempotency_key_and_credentials(server):
    client = HttpClient(server.url, target="t", timeout=2, token="tok")
    assert client.post("/x", b"{}", content_type="application/json",
                       idempotency_key="msg-1").status == 200
    seen = {k.lower(): v for k, v in server.received[0].headers.items()}
    assert seen["idempotency-key"] == "msg-1" and seen["authorization"] == "Bearer tok"


def test_the_client_refuses_an_answer_past_its_cap(server):
    server.answer = (200, b"x" * 5000)
    with pytest.raises(InvalidMessage, match="larger than 1000 bytes"):
        HttpClient(server.url, target="t", timeout=2, max_bytes=1000).post(
            "/x", b"", content_type="text/plain")


def test_a_soap_fault_in_a_500_is_classified_as_the_fault(server):
    server.answer = (500, soap.fault("Client", "ogiltig"))
    with pytest.raises(TargetRejected, match="SOAP Client fault: ogiltig"):
        HttpClient(server.url, target="t", timeout=2, soap=True).post(
            "/x", b"<q/>", content_type=soap.CONTENT_TYPE, where="op at t")


def test_a_silent_back_end_is_a_timeout_naming_the_call():
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(TargetTimeout) as info:
            HttpClient(url, target="t", timeout=0.3).post("/x", b"", content_type="text/plain")
    assert info.value.where == f"POST {url}/x"
