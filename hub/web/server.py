"""Serve the web app from a thread, beside a running hub (``gridhub run``) or in tests."""

from __future__ import annotations

import threading
from typing import Any

import uvicorn

from hub.toolkit.inbound import wait_listening


class WebServer:
    """uvicorn in a daemon thread; ``start`` returns once it listens (or raises why not)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.host, self.port = host, port
        # proxy_headers off: X-Forwarded-* is believed only from web_trusted_proxies (the app).
        # log_config None: uvicorn's loggers go through gridhub's (JSON) handler instead of
        # writing their own plain text into the same stream.
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                                     log_level="warning", access_log=False,
                                                     proxy_headers=False, log_config=None))
        self._thread = threading.Thread(target=self._server.run, name="web", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()
        wait_listening(self._server, self._thread, f"the web server on {self.url}")

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the requests in hand, then stop (running replay jobs stop after the
        message in hand: the app's shutdown stops them)."""
        self._server.should_exit = True
        self._thread.join(timeout)
