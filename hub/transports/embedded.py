"""The embedded broker: a durable, kill-safe kombu transport on one SQLite file.

It is kombu's sqlalchemy transport with the parts that lose or strand messages replaced:

* an ack deletes the row (kombu only hides it, so rows pile up); reject/recover with requeue
  makes the row ready again at its original place, so FIFO order survives a requeue;
* the first open in a process takes ``<file>.lock`` and makes every in-flight row ready
  again: their owner died before acking them (kombu would strand them forever);
* a fetch takes up to the prefetch room in one statement; the rest wait in a per-channel
  buffer and go back to the queue when the channel closes, cancels or requeues;
* a publish wakes consumers of the same process at once (a condition, not a sleep); the
  polling interval is only a fallback.

Exchanges and bindings (direct, topic, fanout) live in process memory, shared by every
connection of the process to the same file; the hub redeclares its topology at start.

Durability: SQLite in WAL mode with ``synchronous=NORMAL``. A publish returns once its
transaction is committed to the WAL file; a killed process (even ``kill -9``) loses nothing
committed, because the bytes are already in the operating system's page cache. Only an OS
crash or power cut can lose the transactions since the last checkpoint's fsync. That is the
price of speed: ``synchronous=FULL`` fsyncs every commit. Set transport option
``synchronous="FULL"`` where an OS crash must not lose a publish; with RabbitMQ in
production the question does not arise.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from json import dumps, loads
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

import structlog
from kombu import Connection
from kombu.transport import sqlalchemy as sqla
from kombu.transport import virtual

from hub.errors import ConfigurationError
from hub.transports.embedded_store import (
    MESSAGE_TABLE,
    QUEUE_TABLE,
    Fetched,
    MessageStore,
    open_store,
)

log = structlog.get_logger("gridhub.transports.embedded")

SCHEME = "embedded://"
ROW_KEY = "embedded-row"  # key in the raw kombu message dict: the row behind a delivery
FALLBACK_POLL_S = 0.05

# Delivery tags are ints unique in the process and increasing in delivery order, so
# ``basic_ack(tag, multiple=True)`` can take "every tag up to this one" like AMQP.
_delivery_tags = itertools.count(1)
_states: dict[Path, virtual.BrokerState] = {}
_states_lock = threading.Lock()


def _shared_state(path: Path) -> virtual.BrokerState:
    """Exchanges and bindings of one broker file, shared by the process's connections."""
    key = path.resolve()
    with _states_lock:
        return _states.setdefault(key, virtual.BrokerState())


def _row(message: Any) -> int:
    return int(message._raw[ROW_KEY])


class QoS(virtual.QoS):
    """Unacked deliveries of a channel; acks, rejects and restores go to the store."""

    channel: Channel
    # kombu declares these as None at class level and fills them in __init__.
    _delivered: OrderedDict[Any, Any]  # type: ignore[assignment]
    _dirty: set[Any]  # type: ignore[assignment]

    def ack(self, delivery_tag: Any) -> None:
        self.ack_many([delivery_tag])

    def ack_many(self, tags: list[Any]) -> None:
        """Delete the rows of ``tags`` in one transaction."""
        delivered = self._delivered
        rows = [_row(delivered[tag]) for tag in tags if tag in delivered]
        self.channel.store.ack(rows)
        for tag in tags:
            self._quick_ack(tag)

    def tags_up_to(self, delivery_tag: Any) -> list[Any]:
        """Unacked tags delivered up to ``delivery_tag`` (0: all), for multiple acks."""
        dirty = self._dirty
        return [
            tag for tag in list(self._delivered)
            if (not delivery_tag or tag <= delivery_tag) and tag not in dirty
        ]

    def reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        message = self._delivered.get(delivery_tag)
        if message is not None:
            if requeue:
                self.channel._restore_at_beginning(message)
            else:  # dropped, as on RabbitMQ without a dead-letter exchange
                self.channel.store.ack([_row(message)])
        self._quick_ack(delivery_tag)

    def restore_unacked(self) -> list[tuple[BaseException, Any]]:
        """Make every unacked delivery ready again, in one transaction."""
        self._flush()
        messages = list(self._delivered.values())
        self._delivered.clear()
        try:
            self.channel.store.requeue([_row(m) for m in messages])
        except Exception as exc:
            # Nothing is lost: the rows stay in flight and the next open of the file makes
            # them ready again. Returning them would make kombu dump their bodies to disk.
            log.warning("embedded.restore_failed", unacked=len(messages), error=repr(exc))
        return []


class Channel(sqla.Channel):
    """One kombu channel on the embedded broker."""

    QoS = QoS
    supports_fanout = True
    fetch_limit = 100
    from_transport_options = (  # type: ignore[assignment]
        *virtual.Channel.from_transport_options, "fetch_limit",
    )

    def __init__(self, connection: Any, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        self._buffers: dict[str, deque[dict[str, Any]]] = {}
        self.store = self._open()
        connection.store = self.store

    def _configure_entity_tablenames(self, opts: Any) -> None:
        # The file belongs to the embedded broker alone: always kombu's default table names.
        super()._configure_entity_tablenames({})

    def _open(self) -> MessageStore:  # type: ignore[override]
        client = self.connection.client
        names = (self.queue_cls.__tablename__, self.message_cls.__tablename__)
        if names != (QUEUE_TABLE, MESSAGE_TABLE):
            raise ConfigurationError(
                f"kombu's sqlalchemy tables are already registered as {names} in this process",
                where=f"embedded broker {client.hostname}")
        return open_store(
            Path(str(client.hostname)),
            synchronous=client.transport_options.get("synchronous", "NORMAL"),
        )

    # -- queues -----------------------------------------------------------------------------

    def _new_queue(self, queue: str, **kwargs: Any) -> None:
        self.store.queue_id(queue)

    def _has_queue(self, queue: str, **kwargs: Any) -> bool:
        return self.store.queue_id(queue, create=False) is not None

    def _size(self, queue: str) -> int:
        qid = self.store.queue_id(queue, create=False)
        return 0 if qid is None else self.store.ready(qid)

    def _purge(self, queue: str) -> int:
        qid = self.store.queue_id(queue, create=False)
        return 0 if qid is None else self.store.purge(qid)

    def _delete(self, queue: str, *args: Any, **kwargs: Any) -> None:
        self._buffers.pop(queue, None)
        self.store.delete_queue(queue)

    def queue_delete(
        self, queue: str, if_unused: bool = False, if_empty: bool = False, **kwargs: Any
    ) -> None:
        """Delete the queue, its messages and its bindings (also unbound queues)."""
        if if_empty and self._size(queue):
            return
        self.state.queue_bindings_delete(queue)
        for exchange in self.state.exchanges.values():
            table = exchange.get("table", [])
            table[:] = [meta for meta in table if meta[2] != queue]
        self._delete(queue)

    def _queue_bind(self, *args: Any) -> None:
        """Bindings are process memory only (see the module docstring)."""

    # -- publishing -------------------------------------------------------------------------

    # kombu's own base classes disagree on these signatures; we match the sqlalchemy channel.
    def _put(  # type: ignore[override]
        self, queue: str, payload: dict[str, Any], **kwargs: Any
    ) -> None:
        self.store.put([self._queue_id(queue)], dumps(payload))

    def _put_fanout(
        self, exchange: str, message: dict[str, Any], routing_key: str, **kwargs: Any
    ) -> None:
        queues = self._lookup(exchange, routing_key)
        self.store.put([self._queue_id(q) for q in sorted(queues)], dumps(message))

    def _queue_id(self, queue: str) -> int:
        qid = self.store.queue_id(queue)
        assert qid is not None  # create=True always yields an id
        return qid

    # -- consuming --------------------------------------------------------------------------

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        buffer = self._buffers.get(queue)
        if not buffer:
            buffer = self._fill(queue, self._fetch_size())
        if not buffer:
            raise Empty()
        return buffer.popleft()

    def _fetch_size(self) -> int:
        room = self.qos.can_consume_max_estimate()  # None: no prefetch limit
        return max(1, min(self.fetch_limit if room is None else room, self.fetch_limit))

    def _fill(self, queue: str, limit: int) -> deque[dict[str, Any]]:
        buffer = self._buffers.setdefault(queue, deque())
        buffer.extend(self._to_raw(f) for f in self.store.fetch(self._queue_id(queue), limit))
        return buffer

    @staticmethod
    def _to_raw(fetched: Fetched) -> dict[str, Any]:
        raw: dict[str, Any] = loads(fetched.payload)
        props = raw["properties"]
        props["delivery_tag"] = next(_delivery_tags)
        if fetched.redelivered:
            props.setdefault("delivery_info", {})["redelivered"] = True
        raw[ROW_KEY] = fetched.row_id
        return raw

    def _release_buffers(self, queue: str | None = None) -> list[int]:
        """Take prefetched, undelivered rows out of the buffers; return their row ids."""
        names = list(self._buffers) if queue is None else [queue]
        rows: list[int] = []
        for name in names:
            rows.extend(raw[ROW_KEY] for raw in self._buffers.pop(name, ()))
        return rows

    def basic_consume(
        self, queue: str, no_ack: bool, callback: Any, consumer_tag: str, **kwargs: Any
    ) -> None:
        """As kombu's virtual channel, but a no-ack delivery deletes its row at once."""
        self._tag_to_queue[consumer_tag] = queue
        self._active_queues.append(queue)

        def _callback(raw_message: dict[str, Any]) -> Any:
            message = self.Message(raw_message, channel=self)
            if no_ack:
                self.store.ack([_row(message)])
            else:
                self.qos.append(message, message.delivery_tag)
            return callback(message)

        self.connection._callbacks[queue] = _callback
        self._consumers.add(consumer_tag)
        self._reset_cycle()

    def basic_cancel(self, consumer_tag: str) -> None:
        queue = self._tag_to_queue.get(consumer_tag)
        super().basic_cancel(consumer_tag)
        if queue is not None and queue not in self._active_queues:
            self.store.requeue(self._release_buffers(queue))

    def basic_get(self, queue: str, no_ack: bool = False, **kwargs: Any) -> Any:
        """Get one message synchronously (never prefetches more)."""
        buffer = self._buffers.get(queue) or self._fill(queue, 1)
        if not buffer:
            return None
        message = self.Message(buffer.popleft(), channel=self)
        if no_ack:
            self.store.ack([_row(message)])
        else:
            self.qos.append(message, message.delivery_tag)
        return message

    def basic_qos(
        self, prefetch_size: int = 0, prefetch_count: int = 0, apply_global: bool = False,
        a_global: bool = False,
    ) -> None:
        """Set the prefetch count; accepts py-amqp's ``a_global`` spelling as well."""
        super().basic_qos(prefetch_size, prefetch_count, apply_global or a_global)

    def basic_ack(self, delivery_tag: Any, multiple: bool = False) -> None:
        tags = self.qos.tags_up_to(delivery_tag) if multiple else [delivery_tag]
        self.qos.ack_many(tags)

    def basic_recover(self, requeue: bool = False) -> Any:
        if requeue:
            self.store.requeue(self._release_buffers())
        return super().basic_recover(requeue=requeue)

    def _restore(self, message: Any) -> None:
        self.store.requeue([_row(message)])

    def _restore_at_beginning(self, message: Any) -> None:
        # Prefetched rows go back too, so the requeued message is the next one delivered.
        self.store.requeue([_row(message), *self._release_buffers()])

    def close(self) -> None:
        if not self.closed and self._buffers:
            self.store.requeue(self._release_buffers())
        super().close()


class Transport(sqla.Transport):
    """kombu transport for ``embedded_connection``; the hostname is the database file."""

    Channel = Channel
    polling_interval = FALLBACK_POLL_S
    driver_name = "embedded"
    implements = virtual.Transport.implements.extend(
        exchange_type=frozenset(["direct", "topic", "fanout"]),
    )

    def __init__(self, client: Connection, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.state = _shared_state(Path(str(client.hostname)))
        self.store: MessageStore | None = None  # set by the first channel

    def as_uri(self, uri: str, include_password: bool = False, mask: str = "**") -> str:
        return f"{SCHEME}{uri}"

    def drain_events(  # type: ignore[override]
        self, connection: Any, timeout: float | None = None
    ) -> None:
        """Deliver one message; between empty polls wait for a publish, not a fixed sleep."""
        cycle: Any = self.cycle
        start = monotonic()
        while True:
            store = self.store
            seen = store.generation if store is not None else 0
            try:
                cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                pass
            waited = monotonic() - start
            if timeout is not None and waited >= timeout:
                raise TimeoutError(f"no message within {timeout:g}s")
            pause = self.polling_interval or FALLBACK_POLL_S
            if timeout is not None:
                pause = min(pause, timeout - waited)
            if store is not None:
                store.wait_for_change(seen, pause)
            else:
                threading.Event().wait(pause)


def embedded_connection(path: str | Path, **kw: Any) -> Connection:
    """A kombu connection to the embedded broker in file ``path`` (relative: to the cwd now).

    ``kw`` goes to ``kombu.Connection``; transport options understood here: ``synchronous``
    (NORMAL or FULL), ``fetch_limit`` (max rows per fetch), ``polling_interval`` (fallback).
    """
    file = Path(path).expanduser()
    if not str(path) or file.is_dir():
        raise ConfigurationError(f"embedded broker needs a file name, got {str(path)!r}",
                                 where="broker url")
    if ";" in str(file):  # kombu reads ';' in a hostname as a list of fail-over hosts
        raise ConfigurationError(f"embedded broker file name may not contain ';': {file}",
                                 where="broker url")
    return Connection(hostname=str(file.absolute()), transport=Transport, **kw)
