"""The message envelope every canonical message travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.message_types import is_known
from schemas.text import Key, SingleLine

SCHEMA_VERSION = 1
# Deterministic ids for derived messages: the same input routed again yields the same
# output ids, so a redelivered input cannot create a second, different output.
_DERIVED_NS = uuid.UUID("6f1c8d0e-2b8a-4f51-9a7e-3c0b1d2e4f60")


def new_message_id() -> str:
    return str(uuid.uuid4())


def derived_message_id(parent_id: str, *parts: str) -> str:
    """A stable id for the output of ``parent_id`` identified by ``parts`` (recipient, index)."""
    return str(uuid.uuid5(_DERIVED_NS, "/".join((parent_id, *parts))))


class Envelope(BaseModel):
    """A canonical message: who, what, when, for which case, and the payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message_id: Key = Field(default_factory=new_message_id)
    case_id: Key = Field(description="Correlation: the case reference")
    causation_id: SingleLine | None = Field(default=None,
                                            description="The message that caused this one")
    type: str = Field(description="A `schemas.message_types.MessageType` value")
    source: Key = Field(max_length=32, description="The system it came from")
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    payload: dict[str, Any] = Field(default_factory=dict)
    traceparent: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        description="W3C trace context of the hop that produced this message "
                    "(https://www.w3.org/TR/trace-context/); set by gridhub")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if not is_known(value):
            raise ValueError(f"unknown message type {value!r}")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        return value

    def derive(self, type_: str, source: str, payload: dict[str, Any], *key: str) -> Envelope:
        """A message caused by this one, with a deterministic id from ``key``."""
        return Envelope(
            message_id=derived_message_id(self.message_id, type_, *key),
            case_id=self.case_id,
            causation_id=self.message_id,
            type=type_,
            source=source,
            occurred_at=self.occurred_at,
            payload=payload,
            traceparent=self.traceparent,
        )
