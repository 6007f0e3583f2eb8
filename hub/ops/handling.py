"""The handler queue: cases that wait for a person's decision, and that decision.

routes.yaml approves simple cases by rule; every other submitted case is put "to
preparation" (Till beredning) and waits here, as does a completion notice that no meter job
answers (a fuse change, work in an existing installation). A decision is a canonical message
(case.approved, case.rejected, case.completion.approved, case.completion.rejected) from
source ``handler``, published into the hub like any input and audit-logged with who and why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.errors import InvalidMessage
from hub.ops.audit import AuditEntry, record
from hub.store import Store
from hub.store.tables import cases
from schemas.envelope import Envelope
from schemas.message_types import MessageType as M

SOURCE = "handler"
DECIDING = ("submitted", "completion_submitted")


@dataclass(frozen=True)
class Waiting:
    case_id: str
    status: str
    reference: str | None
    installation_type: str | None
    job_type: str | None
    country: str | None
    since: datetime
    why: str


def waiting(store: Store) -> list[Waiting]:
    """Cases waiting for a person, oldest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(cases).where(cases.c.status.in_(DECIDING))
                            .order_by(cases.c.updated_at)).mappings().all()
    found = []
    for row in rows:
        why = _why_waiting(row["status"], row["state"])
        if why is not None:
            case = row["state"].get("case") or {}
            found.append(Waiting(
                case_id=row["case_id"], status=row["status"], reference=case.get("reference"),
                installation_type=case.get("installation_type"), job_type=case.get("job_type"),
                country=(case.get("grid_owner") or {}).get("country"), since=row["updated_at"],
                why=why))
    return found


def _why_waiting(status: str, state: dict[str, Any]) -> str | None:
    tracks = state.get("side_tracks") or {}
    if status == "submitted" and tracks.get("preparation") == "to_preparation":
        return "pre-notification: not approved by rule"
    if status == "completion_submitted" and tracks.get("work_order") is None:
        return "completion notice: no meter job to complete it"
    return None


def decision(store: Store, case_id: str, *, approve: bool, text: str, by: str,
             wrong_installation_type: bool = False) -> Envelope:
    """The decision message for ``case_id`` as it stands; InvalidMessage when the case is
    unknown or not waiting for a decision."""
    row = store.case(case_id)
    if row is None:
        raise InvalidMessage(f"no case {case_id!r} in the store", where="case_id")
    if row.status not in DECIDING:
        raise InvalidMessage(f"case {case_id} is {row.status}: nothing to decide (a decision "
                             f"applies to {' and '.join(DECIDING)} cases)", where="case_id")
    completion = row.status == "completion_submitted"
    at = datetime.now(UTC).replace(microsecond=0)
    note = {"subject": ("Godkänd" if approve else "Avvisad"), "text": text, "author": by,
            "at": at.isoformat()}
    if approve:
        type_ = M.CASE_COMPLETION_APPROVED if completion else M.CASE_APPROVED
        payload: dict[str, Any] = {"note": note}
        grid_data = (row.state.get("case") or {}).get("grid_data")
        if not completion and grid_data:
            payload["grid_data"] = grid_data  # the Installationsmedgivande carries NIS's answer
    else:
        type_ = M.CASE_COMPLETION_REJECTED if completion else M.CASE_REJECTED
        payload = {"reason": note, "wrong_installation_type": wrong_installation_type}
    return Envelope(message_id=str(uuid.uuid4()), case_id=case_id, type=type_, source=SOURCE,
                    occurred_at=at, payload=payload)


def audit_decision(store: Store, message: Envelope, *, by: str, reason: str) -> None:
    action = "approve" if message.type.endswith("approved") else "reject"
    with store.transaction() as tx:
        record(tx.conn, [AuditEntry(actor=by, action=action, subject=f"case {message.case_id}",
                                    reason=reason, detail={"type": message.type,
                                                           "message_id": message.message_id})])
