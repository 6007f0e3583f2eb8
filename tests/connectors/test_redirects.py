"""No connector follows a redirect (issue 13, item 9).

A real back end on loopback answers every call with a 3xx pointing at another host
(127.0.0.2). Following it would send the message and our credentials there, and a POST turned
GET would count as delivered. Each connector's client must instead fail permanently, naming the
Location, and the other host must see nothing at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from connectors.elhub import polling
from connectors.elhub.soapclient import ElhubClient
from connectors.kis import KisConnector
from connectors.metering.client import WORKORDERS, CoordinatorClient
from connectors.metering.settings import MeteringSettings
from connectors.nis import NisConnector
from connectors.webhook import WebhookConnector
from hub.connector import NoInbound
from hub.errors import TargetRejected
from tests.factories import envelope, swedish_case

TOKEN = "bearer-token-that-must-stay-home"
NO_INBOUND = NoInbound("a redirect test")


class _Server:
    """A loopback HTTP server answering ``status`` (with ``location``) and recording calls."""

    def __init__(self, host: str, status: int, location: str | None = None) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.seen.append((self.command, self.path, dict(self.headers)))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[_Server]:
    server = _Server("127.0.0.2", 200)
    yield server
    server.stop()


def _metering(url: str) -> None:
    settings = MeteringSettings.parse({"base_url": url, "token": TOKEN, "timeout": 2})
    CoordinatorClient(settings).post(WORKORDERS, {"workOrder": 1}, idempotency_key="k-1")


def _nis(url: str) -> None:
    nis = NisConnector({"url": url, "timeout": 2, "username": "gridhub", "password": TOKEN},
                       NO_INBOUND)
    nis.client.post("/griddata", b"<q/>", content_type="application/xml")


def _kis(url: str) -> None:
    kis = KisConnector({"url": url + "/kis", "timeout": 2, "username": "gridhub",
                        "password": TOKEN, "poll_interval": 0}, NO_INBOUND)
    kis.client.call("LookupFacility", etree.Element("{urn:gridhub:kis:v1}LookupFacilityRequest"))


def _elhub(url: str) -> None:
    ElhubClient({"url": url, "sign": False, "timeout": 2}).call(
        polling.MARKET, "RequestUpdateMasterDataMeteringPoint", etree.Element("Request"))


def _webhook(url: str) -> None:
    WebhookConnector({"url": url + "/in", "token": TOKEN, "timeout": 2}, NO_INBOUND).deliver(
        envelope("case.note.added", swedish_case(9)))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("call", [_metering, _nis, _kis, _elhub, _webhook],
                         ids=["metering", "nis", "kis", "elhub", "webhook"])
def test_a_redirect_is_a_permanent_failure_naming_the_location(
        elsewhere: _Server, call: Callable[[str], None], status: int) -> None:
    location = elsewhere.url + "/steal"
    target = _Server("127.0.0.1", status, location)
    try:
        with pytest.raises(TargetRejected) as info:
            call(target.url)
    finally:
        target.stop()
    assert len(target.seen) == 1
    assert f"HTTP {status}" in info.value.message
    assert location in info.value.message
    assert info.value.remote is not None and info.value.remote.status == str(status)
    assert elsewhere.seen == [], "the call (and its credentials) went to the other host"
