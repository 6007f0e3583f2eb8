"""The simulated portal's state: cases with status, grid data, notes, side tracks and flags.

Applied from canonical envelopes (the simulator reads each call with the connector's own
mapping). A MessageId seen before is a duplicate: answered, not applied again, as a real
idempotent receiver would. Persisted as JSON when a state directory is given.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from schemas.codes import CaseStatus
from schemas.envelope import Envelope

_STATUS_OF = {
    "case.approved": CaseStatus.approved,
    "case.rejected": CaseStatus.pre_rejected,
    "case.completion.rejected": CaseStatus.completion_rejected,
    "case.completion.approved": CaseStatus.completion_approved,
    "case.archived": CaseStatus.archived,
}
_KEEP_IDS = 10_000  # enough to catch redeliveries; the state stays small


class PortalState:
    """Thread-safe; ``apply`` returns True when the message was a duplicate."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.cases: dict[str, dict[str, Any]] = {}
        self.received: list[str] = []
        self.sent: list[dict[str, Any]] = []
        if path is not None and path.is_file():
            saved = json.loads(path.read_text(encoding="utf-8"))
            self.cases, self.received = saved.get("cases", {}), saved.get("received", [])
            self.sent = saved.get("sent", [])

    def apply(self, message: Envelope) -> bool:
        with self._lock:
            if message.message_id in self.received:
                return True
            case = self.cases.setdefault(message.case_id, _new_case())
            _apply(case, message)
            case["history"].append({"message_id": message.message_id, "type": message.type,
                                    "at": message.occurred_at.isoformat()})
            self.received = [*self.received[-(_KEEP_IDS - 1):], message.message_id]
            self._save()
            return False

    def clear(self) -> None:
        with self._lock:
            self.cases, self.received, self.sent = {}, [], []
            self._save()

    def record_sent(self, operation: str, message: Envelope, ack_id: str) -> None:
        """What the portal sent gridhub (by the simulator's ``send``)."""
        with self._lock:
            self.sent.append({"operation": operation, "type": message.type,
                              "case_id": message.case_id, "message_id": message.message_id,
                              "ack": ack_id})
            self._save()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return json.loads(json.dumps({"cases": self.cases, "received": self.received,
                                          "sent": self.sent}))

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"cases": self.cases, "received": self.received,
                                   "sent": self.sent}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


def _new_case() -> dict[str, Any]:
    return {"status": None, "status_label": None, "grid_data": None, "notes": [],
            "side_tracks": {}, "flags": [], "lookup_answers": [], "history": []}


def _apply(case: dict[str, Any], message: Envelope) -> None:
    payload = message.payload
    status = _STATUS_OF.get(message.type)
    if status is not None:
        case["status"], case["status_label"] = str(status), status.label("sv")
        if payload.get("grid_data"):
            case["grid_data"] = payload["grid_data"]
        if payload.get("reason"):
            case["notes"].append(payload["reason"])
            _flags(case, {"rejected_before", "has_notes"}, set())
        if payload.get("note"):
            case["notes"].append(payload["note"])
    elif message.type == "case.note.added":
        case["notes"].append(payload["note"])
        _flags(case, {"has_notes"}, set())
    elif message.type == "case.sidetrack.updated":
        if payload.get("track"):
            case["side_tracks"][payload["track"]] = payload["state"]
        _flags(case, set(payload.get("set_flags") or []), set(payload.get("clear_flags") or []))
    elif message.type == "facility.lookup.answered":
        case["lookup_answers"].append(payload)


def _flags(case: dict[str, Any], add: set[str], remove: set[str]) -> None:
    case["flags"] = sorted((set(case["flags"]) | add) - remove)
