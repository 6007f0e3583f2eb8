"""Bytes on the broker <-> Envelope, and the headers gridhub puts beside the body."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from hub.errors import InvalidMessage
from schemas.envelope import Envelope

MAX_BODY_BYTES = 1_048_576  # a canonical message never needs more; attachments travel by reference

# Headers (all optional on input; the hub sets them on what it publishes).
H_ROUTE = "x-gridhub-route"
H_ATTEMPT = "x-gridhub-attempt"  # deliveries already made of this message to this destination
H_FIRST_FAILURE = "x-gridhub-first-failure"  # ISO time of the first failed delivery
H_SCHEDULED_ID = "x-gridhub-scheduled-id"  # the scheduler row this delivery came from
H_REPLAY_OF = "x-gridhub-replay-of"  # dead-letter id when an operator replays
# The idempotency key targets get when it is not the message id: a replay after a permanent
# failure (see replay_key). Retries of that replay keep it, as they keep every header.
H_IDEMPOTENCY_KEY = "x-gridhub-idempotency-key"
_REPLAY_NS = uuid.UUID("0d6f3b2e-7c41-4a8e-9e57-5a1c2b3d4e61")


def replay_key(message_id: str, replay: int) -> str:
    """The idempotency key of replay number ``replay`` (1, 2, ...) of ``message_id``: fresh
    for each replay, so a target that keeps its answers per key (as gridhub asks targets to)
    does not answer a replay with the rejection it gave before; the same for every retry of
    that replay, so a repeat within it is still dropped. A UUID like the message id, for
    targets that check the key's form."""
    if replay < 1:
        raise ValueError(f"replay counts from 1, got {replay}")
    return str(uuid.uuid5(_REPLAY_NS, f"{message_id}/replay/{replay}"))


def idempotency_key(headers: dict[str, Any] | None, envelope: Envelope) -> str:
    """The key a delivery sends: the replay's when the headers carry one, else the message id."""
    key = (headers or {}).get(H_IDEMPOTENCY_KEY)
    return str(key) if key else envelope.message_id


def encode(envelope: Envelope) -> bytes:
    return envelope.model_dump_json().encode()


def decode(body: bytes | str) -> Envelope:
    """Parse and validate one canonical message; errors name the field and why."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidMessage(
            f"body is {len(raw)} bytes, more than the limit of {MAX_BODY_BYTES}", where="body")
    try:
        return Envelope.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidMessage(describe(exc), where="envelope") from exc


def describe(exc: ValidationError, limit: int = 5) -> str:
    """One line per problem: `field.path: what is wrong`."""
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(body)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)


def header_int(headers: dict[str, Any] | None, name: str, default: int = 0) -> int:
    try:
        return int((headers or {}).get(name, default))
    except (TypeError, ValueError):
        return default
