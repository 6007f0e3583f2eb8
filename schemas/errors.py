"""The contract's errors: what a message that breaks the canonical model raises.

They are the root of gridhub's error hierarchy. The contract layer must not know the runtime,
so the runtime builds on them (``hub.errors`` re-exports these and adds its transient failures,
target rejections and configuration errors), never the other way round:

    GridhubError
    ├── PermanentError          retrying cannot help: dead letter at once
    │   ├── InvalidMessage      unparseable body, schema or contract violation, bad identifier
    │   ├── ImpossibleTransition  the case status machine forbids the change
    │   └── UnknownMessageType  no route and no payload model know the type
    └── (the runtime's own: see ``hub.errors``)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RemoteFault:
    """What the remote side said when it failed; kept verbatim (bounded) in dead letters."""

    kind: str  # "http", "soap", "smtp", "elhub-ack", "amqp"
    status: str | None = None  # HTTP status, SOAP faultcode, Elhub status code
    message: str | None = None  # faultstring, reason text
    body_excerpt: str | None = None  # first 2 KB of the body
    details: dict[str, Any] = field(default_factory=dict)  # reason codes etc.

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "message": self.message,
            "body_excerpt": self.body_excerpt,
            "details": dict(self.details),
        }


class GridhubError(Exception):
    """Base of all gridhub errors. ``where`` names the file/element/field/connector at fault."""

    def __init__(
        self, message: str, *, where: str | None = None, remote: RemoteFault | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.remote = remote

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PermanentError(GridhubError):
    """Retrying cannot help; the message goes to the dead-letter store at once."""


class InvalidMessage(PermanentError):
    """The message cannot be parsed or breaks its contract."""


class ImpossibleTransition(PermanentError):
    """The case status machine forbids the transition."""


class UnknownMessageType(PermanentError):
    """No payload model and no route know this message type."""
