"""A loop on a daemon thread of its own, started and stopped with its owner (pollers).

Subclasses implement ``_run``, which returns once ``self._stop`` is set; ``stop`` sets it and
joins the thread, so a poller is never left running behind a stopped connector.
"""

from __future__ import annotations

import threading


class Background:
    def __init__(self, thread_name: str) -> None:
        self._thread_name = thread_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the loop (again after a stop); a second start while running does nothing."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        raise NotImplementedError
