"""Building trace rows and dead-letter rows: the record of every hop of a message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.errors import GridhubError
from hub.store import DeadLetterRow, TraceRow, fingerprint
from hub.store.trace import HopOutcome
from schemas.business_keys import business_keys
from schemas.envelope import Envelope


def now() -> datetime:
    return datetime.now(UTC)


def hop(
    envelope: Envelope,
    name: str,
    *,
    source: str | None = None,
    target: str | None = None,
    route: str | None = None,
    outcome: HopOutcome = "ok",
    attempt: int = 0,
    detail: str | None = None,
    at: datetime | None = None,
    keys: dict[str, list[str]] | None = None,
) -> TraceRow:
    """One line of a case's timeline. Pass ``keys`` when already known: finding them
    validates the payload again, the largest cost of a trace row."""
    return TraceRow(
        message_id=envelope.message_id,
        case_id=envelope.case_id,
        type=envelope.type,
        hop=name,
        source=source or envelope.source,
        target=target,
        route=route,
        outcome=outcome,
        attempt=attempt,
        at=at or now(),
        detail=detail[:500] if detail else None,
        keys=safe_keys(envelope) if keys is None else keys,
    )


def safe_keys(envelope: Envelope) -> dict[str, list[str]]:
    """Business keys for the trace; a payload too broken to read just has none."""
    try:
        return business_keys(envelope)
    except Exception:
        return {}


def dead_letter(
    exc: BaseException,
    *,
    body: bytes,
    headers: dict[str, Any] | None,
    envelope: Envelope | None,
    connector: str,
    route: str | None,
    attempts: int,
    first_failure: datetime | None = None,
    at: datetime | None = None,
    keys: dict[str, list[str]] | None = None,
) -> DeadLetterRow:
    """Everything ops needs to understand and replay a failure. Pass ``keys`` when known
    (the envelope's business keys), as for :func:`hop`."""
    when = at or now()
    where = exc.where if isinstance(exc, GridhubError) else None
    remote = exc.remote.as_dict() if isinstance(exc, GridhubError) and exc.remote else None
    message_type = envelope.type if envelope else None
    exc_type = type(exc).__name__
    return DeadLetterRow(
        message_id=envelope.message_id if envelope else _raw_id(headers),
        case_id=envelope.case_id if envelope else None,
        message_type=message_type,
        route=route,
        connector=connector,
        body=body,
        headers=dict(headers or {}),
        attempts=attempts,
        first_failure_at=first_failure or when,
        last_failure_at=when,
        exception_type=exc_type,
        exception_message=(exc.message if isinstance(exc, GridhubError) else str(exc))[:4000],
        where=where,
        remote_fault=remote,
        fingerprint=fingerprint(exc_type, where, connector, message_type),
        keys=keys if keys is not None else safe_keys(envelope) if envelope else {},
    )


def _raw_id(headers: dict[str, Any] | None) -> str | None:
    value = (headers or {}).get("message_id")
    return str(value) if value else None
