"""The error hierarchy. Transient vs permanent decides retry vs dead letter.

    GridhubError
    ├── TransientError          the same call may succeed later: retry per the route's policy
    │   ├── TargetUnavailable   connection refused, DNS, target paused or down
    │   ├── TargetTimeout       no answer within the connector's time-out
    │   └── TargetServerError   HTTP 5xx, SOAP Server fault
    ├── PermanentError          retrying cannot help: dead letter at once
    │   ├── InvalidMessage      unparseable body, schema or contract violation, bad identifier
    │   ├── ImpossibleTransition  the case status machine forbids the change
    │   ├── UnknownMessageType  no route and no payload model know the type
    │   ├── TargetRejected      HTTP 4xx, SOAP Client fault, datahub rejection (status 41)
    │   └── ConfigurationError  routes.yaml or settings are wrong (at start, not per message)
    └── ShutdownRequested       internal: a worker was asked to stop

Connectors convert driver errors at their edge with ``raise ... from exc`` and attach
the remote fault (HTTP status and body excerpt, SOAP fault code and string) so the dead
letter keeps it.
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


class TransientError(GridhubError):
    """Retrying later may succeed."""


class TargetUnavailable(TransientError):
    """The target cannot be reached (refused, unresolvable, paused)."""


class TargetTimeout(TransientError):
    """The target did not answer in time."""


class TargetServerError(TransientError):
    """The target failed on its side (HTTP 5xx, SOAP Server fault)."""


class PermanentError(GridhubError):
    """Retrying cannot help; the message goes to the dead-letter store at once."""


class InvalidMessage(PermanentError):
    """The message cannot be parsed or breaks its contract."""


class ImpossibleTransition(PermanentError):
    """The case status machine forbids the transition."""


class UnknownMessageType(PermanentError):
    """No payload model and no route know this message type."""


class TargetRejected(PermanentError):
    """The target refused the message (HTTP 4xx, SOAP Client fault, Elhub status 41)."""


class ConfigurationError(PermanentError):
    """Configuration (routes.yaml, settings) is invalid. Raised at start-up."""


class ShutdownRequested(GridhubError):
    """Internal signal: stop consuming, return in-flight messages."""


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` should be retried. Unknown exceptions count as transient:
    a bug or an outage we did not foresee should not throw a case away on the first try,
    and the route's retry limit still bounds it."""
    return not isinstance(exc, PermanentError)
