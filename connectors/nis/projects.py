"""The grid owner's preparation (beredning / prosjektering, seed 000 §7) as NIS reports it.

NIS opens a project for a case whose installation needs grid work planned (a new
installation, an extension, a service change, a temporary installation) when it is first
asked for the case's grid data: "Till beredning". The project moves on as the grid owner's
planners work ("Beredning pågår", "Färdig från beredning"), apart from the handler who
decides the case. gridhub reads the moves from ``POST {base}/projects/events`` with a cursor
and turns each into ``case.sidetrack.updated`` (track preparation) for the portal.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from hub.toolkit import EventBatch, InvalidMessage, SetAside
from schemas.envelope import Envelope

NS = "urn:gridhub:nis:v1"
N = f"{{{NS}}}"
PLANNED = frozenset({"NY", "UTOK", "SERVIS", "TILLF"})  # installation types with grid work
STEPS = ("TILL_BEREDNING", "PAGAR", "FARDIG")
STATE_OF = {"TILL_BEREDNING": "to_preparation", "PAGAR": "in_progress", "FARDIG": "done"}
_IDS = uuid.UUID("6b0d7c3e-2f4a-4e59-9a1c-0d8e5f7a3b21")


@dataclass
class ProjectBook:
    """The simulator's projects and the event feed (plain data, thread-safe)."""

    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # case ref -> project
    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, case_ref: str, installation_type: str | None) -> None:
        """A project "till beredning" for a case that needs grid work, once per case."""
        if installation_type not in PLANNED:
            return
        with self.lock:
            if case_ref in self.projects:
                return
            project = {"number": f"59{len(self.projects) + 1:05d}", "step": 0}
            self.projects[case_ref] = project
            self._event(case_ref, project)

    def advance(self) -> int:
        """Every open project one step on; how many moved."""
        with self.lock:
            moved = 0
            for case_ref, project in self.projects.items():
                if project["step"] < len(STEPS) - 1:
                    project["step"] += 1
                    self._event(case_ref, project)
                    moved += 1
            return moved

    def open_count(self) -> int:
        with self.lock:
            return sum(1 for p in self.projects.values() if p["step"] < len(STEPS) - 1)

    def _event(self, case_ref: str, project: dict[str, Any]) -> None:
        self.events.append({"seq": len(self.events) + 1, "case_ref": case_ref,
                            "project": project["number"], "state": STEPS[project["step"]],
                            "at": datetime.now(UTC).isoformat(timespec="seconds")})

    def answer(self, request: etree._Element) -> etree._Element:
        after, limit = int(request.findtext(N + "After") or 0), int(request.findtext(N + "Max")
                                                                    or 100)
        out = etree.Element(N + "ProjectEventsResponse", nsmap={"n": NS})
        with self.lock:
            for event in self.events[after:after + limit]:
                node = etree.SubElement(out, N + "Event")
                for tag, key in (("Seq", "seq"), ("CaseRef", "case_ref"),
                                 ("ProjectNumber", "project"), ("State", "state"),
                                 ("At", "at")):
                    etree.SubElement(node, N + tag).text = str(event[key])
        return out


def events_request(cursor: str | None, batch: int) -> bytes:
    root = etree.Element(N + "ProjectEventsRequest", nsmap={"n": NS})
    etree.SubElement(root, N + "After").text = str(int(cursor or 0))
    etree.SubElement(root, N + "Max").text = str(batch)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def events_from(answer: etree._Element, cursor: str | None) -> EventBatch:
    """The feed's events as ``case.sidetrack.updated`` (source nis); ids from the project and
    step, so a re-read after a crash gives the same messages."""
    if answer.tag != N + "ProjectEventsResponse":
        raise InvalidMessage(f"expected a ProjectEventsResponse, got {answer.tag}",
                             where="nis projects/events answer")
    batch = EventBatch(next_cursor=cursor)
    for node in answer.findall(N + "Event"):
        project, state = node.findtext(N + "ProjectNumber"), node.findtext(N + "State") or ""
        try:
            batch.messages.append(Envelope(
                message_id=str(uuid.uuid5(_IDS, f"{project}/{state}")),
                case_id=node.findtext(N + "CaseRef") or "", type="case.sidetrack.updated",
                source="nis", occurred_at=datetime.fromisoformat(node.findtext(N + "At") or ""),
                payload={"track": "preparation", "state": STATE_OF[state]}))
        except (ValueError, KeyError) as exc:  # one bad event is set aside, not the feed
            batch.set_aside.append(SetAside(
                f"project {project} {state}", etree.tostring(node),
                InvalidMessage(f"a project event that cannot be read: {str(exc)[:300]}",
                               where="nis projects/events")))
        batch.next_cursor = node.findtext(N + "Seq")
    return batch
