"""Broker connections from the hub's broker URL, and queue depth for ``gridhub status``.

    embedded:///abs/path/broker.db   the embedded SQLite broker (one process; the default)
    embedded://relative/broker.db    the same, relative to the working directory
    amqp://user:pass@host:5672/vhost RabbitMQ (and any other URL kombu understands)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu import Connection

from hub.errors import ConfigurationError
from hub.transports.embedded import SCHEME, Transport, embedded_connection
from hub.transports.embedded_store import BrokerInUse, owned_store, peek_ready

__all__ = [
    "BrokerInUse",
    "QueueNotFound",
    "connection_for",
    "embedded_connection",
    "queue_depth",
]


class QueueNotFound(ConfigurationError):
    """The queue asked about is not declared on the broker (wrong namespace, hub never ran)."""


def connection_for(url: str, **kw: Any) -> Connection:
    """A kombu connection for ``url``: the embedded broker for ``embedded://FILE``."""
    if url.startswith(SCHEME):
        path = url[len(SCHEME):]
        if not path:
            raise ConfigurationError("embedded:// URL names no file", where="broker url")
        return embedded_connection(path, **kw)
    if url.startswith("embedded:"):
        raise ConfigurationError(
            f"embedded broker URL must look like embedded://FILE, not {url!r}", where="broker url")
    return Connection(url, **kw)


def queue_depth(conn: Connection, queue_name: str) -> int:
    """Messages ready in ``queue_name`` (in-flight deliveries not counted, as on RabbitMQ).

    On the embedded broker this also works from a second process while the hub owns the
    file: it reads the file without taking the broker's lock.
    """
    if issubclass(conn.get_transport_cls(), Transport):
        return _embedded_depth(Path(str(conn.hostname)), queue_name)
    try:
        with conn.channel() as channel:
            return int(channel.queue_declare(queue=queue_name, passive=True).message_count)
    except conn.channel_errors as exc:
        raise QueueNotFound(f"queue {queue_name!r} is not declared: {exc}",
                            where=conn.as_uri()) from exc


def _embedded_depth(path: Path, queue_name: str) -> int:
    store = owned_store(path)
    if store is not None:
        qid = store.queue_id(queue_name, create=False)
        depth = None if qid is None else store.ready(qid)
    else:
        depth = peek_ready(path, queue_name)
    if depth is None:
        raise QueueNotFound(f"queue {queue_name!r} is not declared", where=f"{SCHEME}{path}")
    return depth
