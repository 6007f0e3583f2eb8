"""Realistic store rows built from the shared factories (valid GSRNs, Swedish cases)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub.store import CaseRow, DeadLetterRow, OutboxRow, ScheduledRow, TraceRow, fingerprint
from schemas.business_keys import business_keys
from schemas.envelope import Envelope
from tests.factories import T0, envelope, sample_payload, swedish_case

AT = T0


def workorder(seed: int = 0, step: int = 0) -> Envelope:
    """A workorder.created message about ``swedish_case(seed)``: carries GSRN, meter number
    and work-order id."""
    case = swedish_case(seed)
    payload = sample_payload("workorder.created", case) | {"meter_number": meter_number(seed)}
    return envelope("workorder.created", case, payload=payload, step=step)


def meter_number(seed: int) -> str:
    return f"{73_500_000 + seed}"


def keys_of(env: Envelope) -> dict[str, list[str]]:
    return business_keys(env)


def trace_row(env: Envelope, hop: str, *, at: datetime = AT, target: str | None = None,
              outcome: str = "ok", attempt: int = 0, detail: str | None = None) -> TraceRow:
    return TraceRow(message_id=env.message_id, case_id=env.case_id, type=env.type, hop=hop,
                    source=env.source, target=target, route="workorders" if target else None,
                    outcome=outcome, attempt=attempt, at=at, detail=detail, keys=keys_of(env))


def case_row(seed: int = 0, *, status: str = "submitted", at: datetime = AT,
             last_message_id: str | None = None) -> CaseRow:
    case = swedish_case(seed)
    env = envelope("case.submitted", case)
    return CaseRow(case_id=case.case_id, status=status, flow="new_installation",
                   state=case.model_dump(mode="json"), keys=keys_of(env),
                   last_message_id=last_message_id or env.message_id, updated_at=at)


def outbox_row(input_env: Envelope, destination: str, index: int) -> OutboxRow:
    out = input_env.derive("workorder.created", "hub", input_env.payload, destination, str(index))
    return OutboxRow(input_id=input_env.message_id, message_id=out.message_id,
                     destination=destination, body=out.model_dump_json().encode(),
                     headers={"x-gridhub-route": "workorders", "x-index": index})


def dead_letter_row(env: Envelope, *, connector: str = "metering",
                    exception_type: str = "TargetRejected", where: str | None = "WorkOrder/Gsrn",
                    at: datetime = AT, message: str = "HTTP 422: gsrn okänd hos mätvärdessystemet",
                    remote: dict[str, Any] | None = None) -> DeadLetterRow:
    return DeadLetterRow(
        message_id=env.message_id, case_id=env.case_id, message_type=env.type,
        route="workorders", connector=connector, body=env.model_dump_json().encode(),
        headers={"x-gridhub-route": "workorders", "x-gridhub-attempt": 3},
        attempts=3, first_failure_at=at - timedelta(minutes=5), last_failure_at=at,
        exception_type=exception_type, exception_message=message, where=where,
        remote_fault=remote, fingerprint=fingerprint(exception_type, where, connector, env.type),
        keys=keys_of(env))


def scheduled_row(env: Envelope, *, destination: str = "metering",
                  due_at: datetime | None = AT, attempt: int = 1) -> ScheduledRow:
    return ScheduledRow(destination=destination, case_id=env.case_id,
                        message_id=env.message_id, route="workorders",
                        body=env.model_dump_json().encode(), headers={"x-gridhub-attempt": attempt},
                        attempt=attempt, first_failure_at=AT if due_at else None,
                        last_error="TargetTimeout: no answer in 10 s" if due_at else None,
                        due_at=due_at)
