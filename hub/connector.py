"""The connector plugin contract.

A connector is a small class around an injected transport and a declarative mapping. The hub
finds connectors through the ``gridhub.connectors`` entry point group and imports none itself.

Outbound, the hub's delivery worker calls :meth:`Connector.deliver` for each message routed to
the connector and owns retry, ordering and dead letters around it. A connector converts its
driver's errors to ``hub.errors`` at its edge (``raise TargetUnavailable(...) from exc``).
Inbound, a connector's server hands canonical messages to the injected :class:`Inbound`, which
returns only after the broker confirmed them; only then may the connector answer its caller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, Protocol

from hub.errors import GridhubError
from schemas.envelope import Envelope

# (message id, key) of the delivery running in this thread: set by the delivery stage around
# Connector.deliver, read by idempotency_key. A context variable, so the connector contract
# (deliver(message)) stays as it is.
_DELIVERY_KEY: ContextVar[tuple[str, str] | None] = ContextVar("gridhub_delivery_key",
                                                                 default=None)


def idempotency_key(message: Envelope) -> str:
    """The idempotency key to send with ``message`` (``Idempotency-Key`` for HTTP), so the
    target drops a repeat: the message id, except in a replay after a permanent failure, which
    gets a key of its own (``hub.codec.replay_key``)."""
    current = _DELIVERY_KEY.get()
    if current is not None and current[0] == message.message_id:
        return current[1]
    return message.message_id


@contextmanager
def delivering(message: Envelope, key: str) -> Iterator[None]:
    """While the delivery stage calls ``deliver(message)``: ``idempotency_key`` gives ``key``."""
    token = _DELIVERY_KEY.set((message.message_id, key))
    try:
        yield
    finally:
        _DELIVERY_KEY.reset(token)


class Inbound(Protocol):
    """What a connector publishes into the hub through. Blocks until the broker confirmed."""

    def publish(self, messages: Sequence[Envelope]) -> None: ...

    def reject(self, body: bytes, error: GridhubError, *, source: str) -> None:
        """Keep an input that cannot become a canonical message (a bad feed event): ``body``
        whole, ``error`` naming what and where, in the dead-letter store. Returns once stored,
        so the caller may then move past it."""
        ...


class NoInbound:
    """For connectors built only to be asked (reachable? translate?): takes nothing in."""

    def __init__(self, who: str) -> None:
        self.who = who

    def publish(self, messages: Sequence[Envelope]) -> None:
        raise RuntimeError(f"{self.who} does not publish through connectors")

    def reject(self, body: bytes, error: GridhubError, *, source: str) -> None:
        raise RuntimeError(f"{self.who} keeps no dead letters for connectors")


class Connector:
    """Base class for connectors. Subclasses set ``name`` and override what they support."""

    name: ClassVar[str] = ""

    def __init__(self, settings: Mapping[str, Any], inbound: Inbound) -> None:
        self.settings = dict(settings)
        self.inbound = inbound

    def deliver(self, message: Envelope) -> Sequence[Envelope]:
        """Send ``message`` to the target. Returns replies to publish into the hub (may be empty).

        Raises ``TransientError`` (retry) or ``PermanentError`` (dead letter).
        """
        raise NotImplementedError(f"connector {self.name!r} takes no outbound messages")

    # Translation without I/O, for `gridhub translate` and for tests of the mapping.
    @classmethod
    def to_canonical(cls, document: bytes) -> list[Envelope]:
        """Wire document (SOAP envelope or body, XML, JSON) -> canonical message(s).

        Raises ``InvalidMessage`` naming the element or field and why.
        """
        raise NotImplementedError(f"connector {cls.name!r} reads no wire documents")

    @classmethod
    def to_wire(cls, message: Envelope) -> bytes:
        """Canonical message -> the wire document this connector would send."""
        raise NotImplementedError(f"connector {cls.name!r} writes no wire documents")

    # The same, with this instance's settings (a grid owner's own mapping and contract from
    # routes.yaml): what `gridhub translate --routes FILE --connector NAME` uses. A connector
    # whose mapping is configurable overrides these; the default is the packaged translation.
    def translate_in(self, document: bytes) -> list[Envelope]:
        return type(self).to_canonical(document)

    def translate_out(self, message: Envelope) -> bytes:
        return type(self).to_wire(message)

    def start(self) -> None:
        """Start inbound servers or pollers, if any. Must not block."""

    def stop(self) -> None:
        """Stop what :meth:`start` started."""

    def reachable(self) -> bool:
        """Whether the target answers now (for `gridhub status`)."""
        return True
