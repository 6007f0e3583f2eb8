"""The handler queue: cases that wait for a person's decision, and that decision.

routes.yaml approves simple cases by rule; every other submitted case waits here, as does
every completion notice (the grid owner reviews it; its approval releases the meter work).
A decision is a canonical message (case.approved, case.rejected, case.completion.approved,
case.completion.rejected) from source ``handler``, published into the hub like any input
and audit-logged with who and why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
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
    if status == "submitted" and state.get("awaiting_decision"):
        return "pre-notification: not approved by rule"
    if status == "completion_submitted":
        # Every completion notice is reviewed (seed 000 §12): its approval releases the
        # meter work, a rejection sends it back to the installer.
        return "completion notice: to review"
    return None


@dataclass(frozen=True)
class Terms:
    """What an Installationsmedgivande med nätuppgifter carries besides NIS's grid data
    (seed 000 §11): the connection fee (excluding VAT), the project number, whether the
    customer is invoiced ("Fakturera kund"), and information for the installer."""

    connection_fee: Decimal | None = None
    project_number: str | None = None
    bill_customer: bool | None = None
    info: str | None = None


CURRENCY = {"SE": "SEK", "NO": "NOK"}


def grid_data_of_decision(case: dict[str, Any], *, by: str, on: date,
                          terms: Terms) -> dict[str, Any] | None:
    """The case's grid data as the handler approves it: signed by the handler who decided,
    dated, with the terms; None when NIS gave no grid data."""
    grid_data = case.get("grid_data")
    if not grid_data:
        return None
    signed = {**grid_data, "decision": "approved", "decided_on": on.isoformat(),
              "signature": by}
    if terms.connection_fee is not None:
        country = (case.get("grid_owner") or {}).get("country", "SE")
        signed.update(connection_fee=str(terms.connection_fee),
                      currency=CURRENCY.get(country, "SEK"))
    for key in ("project_number", "bill_customer", "info"):
        if getattr(terms, key) is not None:
            signed[key] = getattr(terms, key)
    return signed


def decision(store: Store, case_id: str, *, approve: bool, text: str, by: str,
             wrong_installation_type: bool = False, terms: Terms | None = None,
             at: datetime | None = None) -> Envelope:
    """The decision message for ``case_id`` as it stands, dated ``at`` (default: now);
    InvalidMessage when the case is unknown or not waiting for a decision."""
    row = store.case(case_id)
    if row is None:
        raise InvalidMessage(f"no case {case_id!r} in the store", where="case_id")
    if row.status not in DECIDING:
        raise InvalidMessage(f"case {case_id} is {row.status}: nothing to decide (a decision "
                             f"applies to {' and '.join(DECIDING)} cases)", where="case_id")
    completion = row.status == "completion_submitted"
    at = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    note = {"subject": ("Godkänd" if approve else "Avvisad"), "text": text, "author": by,
            "at": at.isoformat()}
    if approve:
        type_ = M.CASE_COMPLETION_APPROVED if completion else M.CASE_APPROVED
        payload: dict[str, Any] = {"note": note}
        grid_data = grid_data_of_decision(row.state.get("case") or {}, by=by, on=at.date(),
                                          terms=terms or Terms())
        if not completion and grid_data:
            payload["grid_data"] = grid_data  # Installationsmedgivande med nätuppgifter
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
