"""The inbound HTTP server (hub/toolkit/inbound.py), attacked over real sockets on loopback."""

import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hub.toolkit.inbound import Credentials, InboundServer, Limits, Response

ECHO_AUTH = ("portal", "s3cret")


def _post(url, body=b"{}", auth=None):
    req = urllib.request.Request(url, data=body, method="POST")
    if auth:
        req.add_header("Authorization", auth)
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, r.read()


def _basic(user, pwd):
    return "Basic " + base64.b64encode(f"{user}:{pwd}".encode()).decode()


@pytest.fixture
def server():
    srv = InboundServer(lambda req: Response(200, req.body), Credentials(*ECHO_AUTH),
                        max_body=1000).start()
    yield srv
    srv.stop()


class Recorder:
    """A server that records the paths it was asked for."""

    def __init__(self, limits=None):
        self.paths = []
        self.server = InboundServer(self.handle, None, limits=limits).start()

    def handle(self, req):
        self.paths.append(req.path)
        return Response(200, b"ok")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.stop()


def _exchange(port, data, timeout=10.0):
    """Send ``data`` raw; everything the server answers until it closes (or ``timeout``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return _read_all(sock)


def _read_all(sock):
    got = b""
    try:
        while piece := sock.recv(65536):
            got += piece
    except (TimeoutError, ConnectionResetError):
        pass
    return got


def test_echoes_with_right_credentials(server):
    assert _post(server.url + "/x", b'{"a":1}', _basic(*ECHO_AUTH)) == (200, b'{"a":1}')


@pytest.mark.parametrize("auth", [None, _basic("portal", "wrong"), _basic("other", "s3cret"),
                                  "Bearer s3cret", "Basic !!notbase64"])
def test_refuses_missing_or_wrong_credentials(server, auth):
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(server.url, auth=auth)
    assert info.value.code == 401
    assert "Basic" in info.value.headers["WWW-Authenticate"]


def test_bearer_token_accepted():
    srv = InboundServer(lambda req: Response(204), Credentials(token="t0k3n")).start()
    try:
        assert _post(srv.url, auth="Bearer t0k3n")[0] == 204
    finally:
        srv.stop()


def test_body_over_limit_is_refused(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        _post(server.url, b"x" * 5000, _basic(*ECHO_AUTH))
    assert info.value.code == 413


def test_handler_bug_answers_500_and_server_keeps_serving():
    calls = []

    def handler(req):
        calls.append(req.path)
        if req.path == "/boom":
            raise RuntimeError("bug")
        return Response(200, b"ok")

    srv = InboundServer(handler, None).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as info:
            _post(srv.url + "/boom")
        assert info.value.code == 500
        assert _post(srv.url + "/fine?x=1") == (200, b"ok")
        assert calls == ["/boom", "/fine?x=1"]
    finally:
        srv.stop()


def test_three_hundred_half_open_connections_hold_no_threads_and_a_request_is_answered():
    """Issue 13 item 8: a thread per connection once took the hub from 15 to 315 threads."""
    with Recorder() as rec:
        before = threading.active_count()
        sockets = []
        try:
            for _ in range(300):
                sock = socket.create_connection(("127.0.0.1", rec.server.port), timeout=10)
                sock.sendall(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
                sockets.append(sock)
            # The last connection sent its bytes after the first 299: once a request on a
            # new connection is answered, every earlier one has been accepted too.
            assert _post(rec.server.url + "/real") == (200, b"ok")
            grown = threading.active_count() - before
        finally:
            for sock in sockets:
                sock.close()
    assert grown <= 3, f"{grown} threads more for 300 half-open connections"
    assert rec.paths == ["/real"]


def test_half_a_header_is_closed_at_the_header_deadline():
    with Recorder(Limits(header_timeout=0.5)) as rec, socket.create_connection(
            ("127.0.0.1", rec.server.port), timeout=10) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
        assert sock.recv(100) == b""  # closed by the server; a timeout raises instead
        assert _post(rec.server.url + "/after") == (200, b"ok")
    assert rec.paths == ["/after"]


def test_a_body_that_does_not_arrive_gets_408():
    with Recorder(Limits(body_timeout=0.5)) as rec:
        answer = _exchange(rec.server.port, b"POST /x HTTP/1.1\r\nHost: h\r\n"
                                            b"Content-Length: 10\r\n\r\nabc")
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert rec.paths == []


def test_connections_beyond_the_limit_are_answered_503_and_closed():
    with Recorder(Limits(max_connections=5)) as rec:
        idle = [socket.create_connection(("127.0.0.1", rec.server.port), timeout=10)
                for _ in range(5)]
        try:
            answer = _exchange(rec.server.port, b"GET /sixth HTTP/1.1\r\nHost: h\r\n\r\n")
        finally:
            for sock in idle:
                sock.close()
        assert answer.startswith(b"HTTP/1.1 503"), answer[:80]
        # The closed ones are counted out as the server notices them.
        deadline = time.monotonic() + 10
        while True:
            try:
                assert _post(rec.server.url + "/later") == (200, b"ok")
                break
            except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    assert "/sixth" not in rec.paths


def test_two_different_content_lengths_are_refused_and_nothing_is_smuggled():
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"
    with Recorder() as rec:
        answer = _exchange(rec.server.port,
                           b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
                           b"Content-Length: %d\r\n\r\n" % len(smuggled) + smuggled)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    assert answer.count(b"HTTP/1.1 ") == 1
    assert rec.paths == []


def test_a_superscript_two_as_length_is_a_clean_400_without_a_traceback(capfd):
    with Recorder() as rec:
        # As HTTP reads header bytes (ISO-8859-1): b"\xb2", which str.isdigit() accepts.
        answer = _exchange(rec.server.port, "POST /x HTTP/1.1\r\nHost: h\r\n"
                                            "Content-Length: ²\r\n\r\nab".encode("latin-1"))
        assert _post(rec.server.url + "/after") == (200, b"ok")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    assert "Traceback" not in capfd.readouterr().err
    assert rec.paths == ["/after"]


def test_a_dropped_path_is_closed_unanswered():
    srv = InboundServer(lambda req: Response(200, b"ok"), None,
                        drop=lambda path: path.startswith("/down")).start()
    try:
        answer = _exchange(srv.port, b"GET /down HTTP/1.1\r\nHost: h\r\n\r\n")
        assert answer == b""
        assert _post(srv.url + "/up") == (200, b"ok")
    finally:
        srv.stop()


def test_stop_closes_kept_alive_connections_and_the_port():
    srv = InboundServer(lambda req: Response(200, b"ok"), None).start()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        answer = b""
        while not answer.endswith(b"\r\n\r\nok"):  # the whole answer, then the connection idles
            answer += sock.recv(1000)
        assert answer.startswith(b"HTTP/1.1 200")
        srv.stop()
        assert _read_all(sock) == b""
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


LOGGING_SCRIPT = r"""
import socket
from hub.logs import configure_logging
from hub.toolkit.inbound import InboundServer, Response
from hub.web.server import WebServer

configure_logging("INFO", json=True)
web = WebServer(lambda scope, receive, send: None, port=0)  # its uvicorn configures logging too
web.start()
srv = InboundServer(lambda req: Response(200, b"ok"), None).start()
with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
    sock.sendall("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: ²\r\n\r\n".encode("latin-1"))
    assert sock.recv(100).startswith(b"HTTP/1.1 400")
srv.stop()
web.stop()
"""


def test_a_refused_request_is_one_json_log_line_beside_the_ops_web():
    """In `gridhub run --web` both servers share the process: still one JSON line each."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", LOGGING_SCRIPT], cwd=root, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]  # every line is JSON: no traceback, no text
    [refused] = [e for e in events if e["event"] == "Invalid HTTP request received."]
    assert refused["level"] == "warning" and refused["logger"] == "gridhub.http.parser"


@pytest.mark.parametrize("pieces", [1, 64])
def test_a_request_head_over_the_cap_is_refused(pieces):
    """Whole in one read (measured by the server) or trickling in (h11's buffer cap)."""
    head = b"GET /big HTTP/1.1\r\nHost: h\r\nX-Pad: " + b"a" * 8192 + b"\r\n\r\n"
    with Recorder(Limits(max_header_bytes=4096)) as rec, socket.create_connection(
            ("127.0.0.1", rec.server.port), timeout=10) as sock:
        size = len(head) // pieces + 1
        try:
            for start in range(0, len(head), size):
                sock.sendall(head[start:start + size])
                time.sleep(0.001 if pieces > 1 else 0)
        except OSError:  # closed under us: the answer is already there
            pass
        answer = _read_all(sock)
    assert answer.startswith((b"HTTP/1.1 431", b"HTTP/1.1 400")), answer[:80]
    assert rec.paths == []


def test_the_uvicorn_internals_the_guard_relies_on_are_there():
    """hub/toolkit/inbound.py hooks uvicorn's h11 protocol; an upgrade that renames these
    fails here, by name, before the deadlines silently stop working."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    assert callable(H11Protocol.on_response_complete)
    assert callable(H11Protocol.connection_made) and callable(H11Protocol.connection_lost)
    server = InboundServer(lambda req: Response(200, b"ok"), None).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10):
            protocol = next(iter(_connections(server)))
            assert {"cycle", "connections", "transport", "client", "app", "loop"} <= set(
                vars(protocol))
    finally:
        server.stop()


def _connections(server):
    deadline = time.monotonic() + 10
    while not server._server.server_state.connections:
        assert time.monotonic() < deadline, "the connection never showed up"
        time.sleep(0.01)
    return server._server.server_state.connections


def test_answers_are_not_held_back_by_nagle():
    """The head and the body of an answer are two writes: without TCP_NODELAY the body
    waited for the client's delayed ACK, ~40 ms a request (21 requests/s on one connection)."""
    server = InboundServer(lambda req: Response(200, b"ok"), None).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10):
            [protocol] = _connections(server)
            sock = protocol.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        server.stop()
