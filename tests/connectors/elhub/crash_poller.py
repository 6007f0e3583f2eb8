"""A poller process for the crash test: drains PollMeteringValues once and, at the chosen
point between keeping a poll result and acknowledging it, says so and waits to be killed.

    python -m tests.connectors.elhub.crash_poller SETTINGS_JSON STORE_URL PUBLISHED MARKER POINT

POINT ``kept``: after the store transaction, before publishing; ``published``: after the
broker's (here: the file's) confirmation, before AcknowledgePoll. PUBLISHED gets one JSON
line per published message, flushed to disk before publish returns, as a confirm would be.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.elhub import ElhubConnector
from connectors.elhub.poller import Poller
from connectors.elhub.polling import POLL_METERING
from hub import codec
from hub.intake import Intake, Kept, Received
from hub.store import Store
from schemas.envelope import Envelope


class FileInbound:
    def __init__(self, store: Store, published: Path) -> None:
        self.store, self.published = store, published

    def publish(self, messages: Sequence[Envelope]) -> None:
        with self.published.open("ab") as out:
            for m in messages:
                out.write(codec.encode(m) + b"\n")
            out.flush()
            os.fsync(out.fileno())

    def intake(self, connector: str, plugin: str | None = None) -> Intake:
        return Intake(self.store, connector, plugin)


def _stop_here(marker: Path) -> None:
    marker.write_text(str(os.getpid()), encoding="utf-8")
    while True:  # the test sends SIGKILL now
        time.sleep(1)


def main(argv: list[str]) -> None:
    settings: dict[str, Any] = json.loads(argv[0])
    store = Store(argv[1])
    store.open()
    published, marker, point = Path(argv[2]), Path(argv[3]), argv[4]
    if point == "kept":
        keep = Intake.keep

        def keep_then_stop(self: Intake, batch: str, received: Sequence[Received]) -> Kept:
            keep(self, batch, received)
            _stop_here(marker)
            raise AssertionError("unreachable")
        Intake.keep = keep_then_stop  # type: ignore[method-assign]
    elif point == "published":
        def ack_stop(self: Poller, service: object, result_id: str) -> None:
            _stop_here(marker)
        Poller._acknowledge = ack_stop  # type: ignore[assignment,method-assign]
    else:
        raise SystemExit(f"POINT is 'kept' or 'published', not {point!r}")
    connector = ElhubConnector(settings, FileInbound(store, published))
    assert connector.poller is not None
    connector.poller.drain(POLL_METERING)
    raise SystemExit("the poller finished without reaching the crash point")


if __name__ == "__main__":
    main(sys.argv[1:])
