"""A consumer thread's stage and the stage's own publishing connection (``Hub._consumer``).

Each consumer thread consumes on one connection and publishes its stage's outputs on a second
one (a publisher blocked by the broker's flow control must not stop the acks). The second one
shares the first one's fate: a broker restart or a node that stops answering takes both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from kombu import Connection

from hub.brokers import Brokers, forget, node_fault
from hub.consumer import Settle
from hub.errors import TargetUnavailable
from hub.heartbeats import Heartbeats

log = structlog.get_logger("gridhub.stagelink")


class StageLink:
    """A consumer thread's stage and the stage's own publishing connection.

    The connection is made on the first batch, lent to the heartbeat thread between batches,
    and dropped (without the close handshake) when a batch fails or the consumer's connection
    is lost: after a broker restart or a failover the redelivered batch gets a fresh one
    instead of failing once more on the dead one (or forever).
    """

    def __init__(self, brokers: Brokers, heartbeats: Heartbeats,
                 stage_factory: Callable[[Connection], Any]) -> None:
        self._brokers = brokers
        self._beats = heartbeats
        self._factory = stage_factory
        self._held: tuple[Connection, Any] | None = None

    def handle(self, batch: list[Any]) -> Settle | None:
        if self._held is None:
            conn = self._brokers.connect()
            try:
                conn.ensure_connection(max_retries=max(1, self._brokers.attempts() - 1))
                self._held = (conn, self._factory(conn))
            except BaseException:
                forget(conn)
                raise
            self._beats.register(conn)
        else:
            self._beats.take(self._held[0])
        conn, stage = self._held
        try:
            settle = stage.handle(batch)
        except BaseException as exc:
            self._drop(failed=node_fault(exc))
            raise
        self._beats.give(conn)
        return None if settle is None else self._settling(conn, settle)

    def _settling(self, conn: Connection, settle: Settle) -> Settle:
        def run() -> None:
            if self._held is None or self._held[0] is not conn:
                raise TargetUnavailable("the publishing connection was lost before its "
                                        "confirms arrived", where="broker")
            try:
                with self._beats.using(conn):
                    settle()
            except BaseException as exc:
                self._drop(failed=node_fault(exc))
                raise
        return run

    def lost(self, conn: Connection, exc: BaseException) -> None:
        """The consumer's connection or a batch failed: the publishing connection goes too
        (a broker restart or failover took it as well; a broken batch may have left it
        mid-publish)."""
        if node_fault(exc):
            self._brokers.failed(conn)
        if self._held is not None:
            log.info("stage.publisher_dropped", reason=repr(exc))
            self._drop(failed=False)

    def _drop(self, *, failed: bool) -> None:
        if self._held is None:
            return
        conn, self._held = self._held[0], None
        self._beats.drop(conn)
        if failed:
            self._brokers.failed(conn)
        forget(conn)

    def close(self) -> None:
        if self._held is not None:
            conn, self._held = self._held[0], None
            self._beats.take(conn)
            self._beats.drop(conn)
            conn.release()
