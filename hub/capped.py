"""A ``requests`` session that will not read a back end's answer past a size limit.

zeep and ``requests`` read an answer whole before anything looks at its size, so a broken or
hostile back end answering gigabytes would take the hub's memory before the XML parser's own
limit (``hub.xmlsafe.MAX_XML_BYTES``) could refuse it. This session streams the body and
stops one byte past the limit: the answer is then an :class:`InvalidMessage` naming the URL.
"""

from __future__ import annotations

from typing import Any

import requests

from hub.errors import InvalidMessage
from hub.telemetry import trace_headers
from hub.xmlsafe import MAX_XML_BYTES

CHUNK = 64 * 1024


class CappedSession(requests.Session):
    def __init__(self, max_bytes: int = MAX_XML_BYTES) -> None:
        super().__init__()
        self.max_bytes = max_bytes

    def request(self, method: str, url: str,  # type: ignore[override]
                *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["stream"] = True
        # The W3C trace context of the delivery in hand, so the target's own traces join ours.
        kwargs["headers"] = {**trace_headers(), **(kwargs.get("headers") or {})}
        response = super().request(method, url, *args, **kwargs)
        chunks: list[bytes] = []
        size = 0
        try:  # iter_content maps the driver's read errors to requests' own, as .content does
            for chunk in response.iter_content(CHUNK):
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    break
        finally:
            response.close()
        body = b"".join(chunks)
        if size > self.max_bytes:
            raise InvalidMessage(f"answer larger than {self.max_bytes} bytes: refused unread",
                                 where=f"{method} {url}")
        response._content = body  # what .content and .text return from here on
        response._content_consumed = True
        return response
