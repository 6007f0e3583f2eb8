"""A back end that answers whatever a test sets: a real HTTP server on loopback, not a mock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hub.toolkit.inbound import InboundServer, Request, Response


class CannedServer:
    """Answers every request with ``answer`` (status, body) as ``content_type``."""

    def __init__(self, content_type: str) -> None:
        self.answer: tuple[int, bytes] = (200, b"")
        self.received: list[Request] = []  # every request, in order
        self.content_type = content_type
        self.server = InboundServer(self.handle, None).start()

    def handle(self, request: Request) -> Response:
        self.received.append(request)
        return Response(self.answer[0], self.answer[1], content_type=self.content_type)

    @property
    def url(self) -> str:
        return str(self.server.url)


@contextmanager
def canned(content_type: str) -> Iterator[CannedServer]:
    fake = CannedServer(content_type)
    try:
        yield fake
    finally:
        fake.server.stop()
