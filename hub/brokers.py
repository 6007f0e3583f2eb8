"""Broker addresses and how a process connects to them: a RabbitMQ cluster as a list of nodes.

``broker_url`` may name several nodes (a TOML or JSON list, or kombu's ``;``-joined string).
Every connection this process opens gets the same settings: AMQP heartbeats (so a node that
stops answering, e.g. frozen with SIGSTOP, is noticed within two heartbeat intervals), a
connect time-out (a frozen node still accepts TCP: only the AMQP handshake shows it is gone),
and a socket time-out on every read and write (so no close, declare or confirm wait can block
for as long as the node is away).

Which node first: ``shuffle`` (the default) starts each process at a random node, so a fleet of
processes spreads over the cluster; ``in-order`` always starts at the first address (give each
process its own order in its environment to place roles on nodes). When a connection fails,
the next one of this process starts at the node after the one that failed: a frozen node is not
tried first again while the others answer.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import amqp.exceptions
import structlog
from kombu import Connection

from hub.heartbeats import locked_frame_writer
from hub.transports import connection_for

log = structlog.get_logger("gridhub.brokers")


class Failover(StrEnum):
    SHUFFLE = "shuffle"
    IN_ORDER = "in-order"


@dataclass(frozen=True)
class BrokerOptions:
    """How to talk to the broker; every field is a setting (``hub.config``)."""

    heartbeat_s: float = 5.0  # 0: no heartbeats (a hung node is then never noticed)
    connect_timeout_s: float = 5.0
    io_timeout_s: float = 10.0  # any single socket read or write, closes included
    confirm_timeout_s: float = 30.0
    failover: Failover = Failover.SHUFFLE


def split_addresses(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """The node addresses of a broker setting: a list, a JSON list, or ``a;b;c``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = json.loads(text)
            if not isinstance(parsed, list) or not all(isinstance(a, str) for a in parsed):
                raise ValueError("a JSON list of broker URLs, e.g. "
                                 '["amqp://u:p@rabbit1//", "amqp://u:p@rabbit2//"]')
            return [a.strip() for a in parsed if a.strip()]
        return [a.strip() for a in text.split(";") if a.strip()]
    return [str(a).strip() for a in value if str(a).strip()]


def join_addresses(addresses: list[str]) -> str:
    """kombu's form of a node list (what ``broker_url`` holds after validation)."""
    return ";".join(addresses)


def node_of(address: str) -> tuple[str, int]:
    """(host, port) of one address; kombu defaults the port to 5672."""
    parts = urlsplit(address)
    return (parts.hostname or "localhost", parts.port or 5672)


class Brokers:
    """Connections to one broker (one node or a cluster) with this process's settings."""

    def __init__(self, url: str, options: BrokerOptions | None = None,
                 rng: random.Random | None = None) -> None:
        self.options = options or BrokerOptions()
        self.addresses = split_addresses(url)
        self._embedded = url.startswith("embedded:")
        count = len(self.addresses)
        self._start = 0
        if count > 1 and self.options.failover is Failover.SHUFFLE:
            self._start = (rng or random.Random()).randrange(count)
        self._lock = threading.Lock()

    @property
    def amqp(self) -> bool:
        return not self._embedded

    def order(self) -> list[str]:
        """The addresses in the order the next connection tries them."""
        with self._lock:
            start = self._start
        return self.addresses[start:] + self.addresses[:start]

    def connect(self) -> Connection:
        """A new (lazy) connection; it tries every node once, in :meth:`order`."""
        if self._embedded:
            return connection_for(self.addresses[0])
        o = self.options
        kw: dict[str, Any] = {
            "connect_timeout": o.connect_timeout_s, "failover_strategy": "round-robin",
            "transport_options": {"read_timeout": o.io_timeout_s,
                                  "write_timeout": o.io_timeout_s,
                                  # the heartbeat thread may write between the owner's frames
                                  "frame_writer": locked_frame_writer}}
        if o.heartbeat_s > 0:
            kw["heartbeat"] = o.heartbeat_s
        return connection_for(join_addresses(self.order()), **kw)

    def attempts(self) -> int:
        """Connection attempts that try each node once (for ``ensure_connection``)."""
        return max(1, len(self.addresses))

    def failed(self, conn: Connection) -> None:
        """``conn`` stopped answering: start the next connection at the node after its node."""
        if len(self.addresses) < 2:
            return
        try:
            node = (str(conn.hostname), int(conn.port or 5672))
        except Exception:  # a connection that never got as far as a host: nothing to skip
            return
        nodes = [node_of(a) for a in self.addresses]
        if node in nodes:
            with self._lock:
                self._start = (nodes.index(node) + 1) % len(nodes)
            log.warning("broker.failover", failed=f"{node[0]}:{node[1]}",
                        next=f"{nodes[self._start][0]}:{nodes[self._start][1]}")


def node_fault(exc: BaseException) -> bool:
    """Did the broker node fail (refused, silent, gone), as opposed to the store or a bug?"""
    if isinstance(exc, OSError | amqp.exceptions.ConnectionError
                  | amqp.exceptions.RecoverableConnectionError):
        return True
    return getattr(exc, "where", None) == "broker"  # TargetUnavailable: confirms not in time


def forget(conn: Connection) -> None:
    """Drop a connection that failed without the close handshake: a frozen node would
    never answer it. The socket is closed; the broker cleans up when it notices."""
    try:
        conn.collect()
    except Exception as exc:  # nothing left to do with a broken connection
        log.debug("broker.collect_failed", error=repr(exc))
