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
letter keeps it. The contract's errors (``InvalidMessage``, ``ImpossibleTransition``,
``UnknownMessageType``) and the root classes are defined in ``schemas.errors``.
"""

from __future__ import annotations

# The root of the hierarchy and the contract's own errors live in the contract layer (schemas
# must not import the runtime); they are re-exported here, the same classes, so an ``except``
# on ``hub.errors.InvalidMessage`` catches what ``schemas`` raises.
from schemas.errors import (
    GridhubError,
    ImpossibleTransition,
    InvalidMessage,
    PermanentError,
    RemoteFault,
    UnknownMessageType,
)

__all__ = [
    "ConfigurationError",
    "GridhubError",
    "ImpossibleTransition",
    "InvalidMessage",
    "PermanentError",
    "RemoteFault",
    "ShutdownRequested",
    "TargetRejected",
    "TargetServerError",
    "TargetTimeout",
    "TargetUnavailable",
    "TransientError",
    "UnknownMessageType",
    "is_transient",
]


class TransientError(GridhubError):
    """Retrying later may succeed."""


class TargetUnavailable(TransientError):
    """The target cannot be reached (refused, unresolvable, paused)."""


class TargetTimeout(TransientError):
    """The target did not answer in time."""


class TargetServerError(TransientError):
    """The target failed on its side (HTTP 5xx, SOAP Server fault)."""


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
