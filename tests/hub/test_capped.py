"""The capped session reads a back end's answer up to a limit and no further."""

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub.errors import InvalidMessage
from hub.toolkit.http import CappedSession


class _Streamer(BaseHTTPRequestHandler):
    """Answers /small with 1,000 bytes, /gzip with 1,000 bytes gzipped, /endless with 64 KiB
    chunks until the client hangs up (counting what it managed to send)."""

    sent = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            try:
                for _ in range(2_000):  # 128 MiB if nobody stops reading
                    self.wfile.write(b" " * 65_536)
                    type(self).sent += 65_536
            except OSError:
                return
            return
        body = b"x" * 1_000
        self.send_response(200)
        if self.path == "/gzip":
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Streamer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_answer_within_the_limit_arrives_whole_and_decoded(server):
    session = CappedSession(max_bytes=1_000)
    assert session.post(f"{server}/small", data=b"<q/>", timeout=5).content == b"x" * 1_000
    assert session.post(f"{server}/gzip", data=b"<q/>", timeout=5).text == "x" * 1_000


def test_an_endless_answer_is_refused_after_the_limit_not_read_whole(server):
    session = CappedSession(max_bytes=1_000_000)
    with pytest.raises(InvalidMessage) as info:
        session.post(f"{server}/endless", data=b"<q/>", timeout=5)
    assert "larger than 1000000 bytes" in info.value.message
    assert info.value.where == f"POST {server}/endless"
    # The server could not push its 128 MiB: the client stopped reading and hung up.
    assert _Streamer.sent < 64 * 1024 * 1024
