"""The shipped routes.yaml, walked in memory: the decisions of the case flows (seed 000, 003).

Each test plays the back ends' answers by hand and follows every emit, aggregation and
delivery the router produces, with the real projection; the end-to-end tests over sockets
are in tests/flows/.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from hub.demo.cases import P0_DOCUMENTS, documentation
from hub.pipeline import case_view
from hub.router import AggregatePart, Delivery, Due, Emitted, Router
from hub.routes import load_routes
from schemas.envelope import Envelope
from schemas.payloads import CASELESS
from schemas.projection import CaseState, apply
from tests.factories import envelope, grid_data, norwegian_case, sample_payload, swedish_case
from tests.support.shipped import SHIPPED_SECRETS

ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"


class Walk:
    """The hub's stage without broker or store: apply, route, follow emits and aggregates."""

    def __init__(self) -> None:
        self.router = Router(load_routes(ROUTES, env=SHIPPED_SECRETS))
        self.cases: dict[str, CaseState] = {}
        self.parts: dict[str, dict[str, dict[str, Any]]] = {}
        self.sent: list[tuple[str, Envelope]] = []
        self.due: list[Due] = []

    def feed(self, env: Envelope) -> None:
        if env.type not in CASELESS:
            self.cases[env.case_id] = apply(self.cases.get(env.case_id), env)
        view = case_view(self.cases.get(env.case_id))
        for action in self.router.route(env, view):
            if isinstance(action, Delivery):
                self.sent.append((action.destination, action.message))
            elif isinstance(action, Emitted):
                self.feed(action.message)
            elif isinstance(action, Due):
                self.due.append(action)
            elif isinstance(action, AggregatePart):
                parts = self.parts.setdefault(action.key, {})
                parts[action.part_type] = action.message.model_dump(mode="json")
                if action.expected <= set(parts):
                    self.feed(self.router.complete(action, action.key, self.parts.pop(action.key),
                                                   timed_out=False))

    def to(self, connector: str, type_: str | None = None) -> list[Envelope]:
        return [m for dest, m in self.sent if dest == connector and type_ in (None, m.type)]

    def status(self, case_id: str) -> str:
        return str(self.cases[case_id].status)

    def reply(self, request: Envelope, type_: str, payload: dict[str, Any], source: str) -> None:
        self.feed(request.derive(type_, source, payload, "reply"))


@pytest.fixture
def walk() -> Walk:
    return Walk()


def _fuse_change(seed: int, fuse: int) -> Any:
    case = swedish_case(seed, installation_type="fuse_change", job_type="fuse_upgrade")
    return case.model_copy(update={"facilities": [case.facilities[0].model_copy(
        update={"main_fuse_a": fuse})]})


def _answer_lookups(walk: Walk, case: Any) -> None:
    [lookup] = walk.to("kis", "facility.lookup.requested")
    [griddata] = walk.to("nis", "griddata.requested")
    walk.reply(lookup, "facility.lookup.answered", sample_payload("facility.lookup.answered",
                                                                  case), "kis")
    walk.reply(griddata, "griddata.answered", grid_data().model_dump(mode="json"), "nis")


def test_a_fuse_change_up_to_25_a_is_approved_by_rule(walk):
    case = _fuse_change(1, 20)
    walk.feed(envelope("case.submitted", case))
    [lookup] = walk.to("kis", "facility.lookup.requested")
    assert lookup.payload["facility_id"] == case.facilities[0].facility_id.reveal()
    assert lookup.payload["overwrite"] is False
    assert walk.to("nis", "griddata.requested")[0].payload["main_fuse_a"] == 20
    assert walk.to("notify", "case.submitted")  # notify records the installer
    _answer_lookups(walk, case)
    [approved] = walk.to("elsmart", "case.approved")
    assert approved.payload["grid_data"]["short_circuit_current_ka"] == "9.51"
    assert approved.payload["note"]["subject"] == "Automatiskt godkänd"
    assert walk.to("notify", "case.approved") and walk.status(case.case_id) == "approved"


@pytest.mark.parametrize("case", [
    _fuse_change(2, 35),                                   # above 25 A
    swedish_case(3),                                       # a new installation
], ids=["fuse-35-A", "new-installation"])
def test_everything_else_waits_in_the_handler_queue(walk, case):
    walk.feed(envelope("case.submitted", case))
    _answer_lookups(walk, case)
    assert not walk.to("elsmart", "case.approved")
    # The handler queue; preparation (beredning) is NIS's to report, not the queue's.
    assert not walk.to("elsmart", "case.sidetrack.updated")
    state = walk.cases[case.case_id]
    assert (str(state.status), state.awaiting_decision) == ("submitted", True)
    assert state.side_tracks.preparation is None


def test_a_rejected_grid_answer_is_never_approved_by_rule(walk):
    case = _fuse_change(4, 16)
    walk.feed(envelope("case.submitted", case))
    [lookup] = walk.to("kis", "facility.lookup.requested")
    [griddata] = walk.to("nis", "griddata.requested")
    walk.reply(lookup, "facility.lookup.answered",
               sample_payload("facility.lookup.answered", case), "kis")
    walk.reply(griddata, "griddata.answered", grid_data(approved=False).model_dump(mode="json"),
               "nis")
    assert not walk.to("elsmart", "case.approved")
    assert walk.cases[case.case_id].awaiting_decision


def test_a_new_connection_without_facility_is_enriched_by_nis_alone(walk):
    case = swedish_case(5)
    bare = case.facilities[0].model_copy(update={"facility_id": None, "meter_number": None})
    case = case.model_copy(update={"facilities": [bare]})
    walk.feed(envelope("case.submitted", case))
    assert not walk.to("kis")
    [griddata] = walk.to("nis", "griddata.requested")
    assert griddata.payload["address"]["town"] == "Helsingborg"
    walk.reply(griddata, "griddata.answered", grid_data().model_dump(mode="json"), "nis")
    assert walk.cases[case.case_id].awaiting_decision
    assert walk.cases[case.case_id].case["grid_data"]["project_number"] == "5900315"


def test_the_portal_gets_lookup_answers_only_while_the_installer_edits(walk):
    case = swedish_case(6)
    portal_lookup = envelope("facility.lookup.requested", case, source="elsmart")
    walk.feed(portal_lookup)  # a draft: the installer is filling in the case
    walk.reply(walk.to("kis")[0], "facility.lookup.answered",
               sample_payload("facility.lookup.answered", case), "kis")
    assert len(walk.to("elsmart", "facility.lookup.answered")) == 1
    walk.feed(envelope("case.submitted", case, step=1))
    _answer_lookups_after(walk, case)
    assert len(walk.to("elsmart", "facility.lookup.answered")) == 1  # not the hub's own


def _answer_lookups_after(walk: Walk, case: Any) -> None:
    lookup = walk.to("kis", "facility.lookup.requested")[-1]
    walk.reply(lookup, "facility.lookup.answered",
               sample_payload("facility.lookup.answered", case), "kis")


NO_GRID_OWNER = "7070573217917"  # Sørlandsnett AS in routes.yaml's grid_owners


def _in_norway(case: Any) -> Any:
    """The case at Sørlandsnett, documented as its P0 agreement requires (item 14)."""
    doc = case.model_dump(mode="json")
    attachments = [a.model_dump(mode="json") for a in documentation(case, P0_DOCUMENTS)]
    return type(case).model_validate({**doc, "grid_owner": {**doc["grid_owner"],
                                                           "gln": NO_GRID_OWNER},
                                      "attachments": [*doc["attachments"], *attachments]})


def _approved_with_held_job(walk: Walk, case: Any) -> Envelope:
    for step, type_ in enumerate(("case.submitted", "case.approved")):
        walk.feed(envelope(type_, case, step=step))
    [job] = walk.to("metering", "workorder.requested")
    assert (job.payload["kind"], job.payload["hold"]) == ("meter_new_installation", True)
    assert job.payload["gsrn"] == case.facilities[0].facility_id.reveal()
    walk.reply(job, "workorder.created", sample_payload("workorder.created", case), "metering")
    return job


def test_new_installation_from_completion_to_archive(walk):
    case = swedish_case(7)  # a grid owner with no market configured: nothing to a datahub
    _approved_with_held_job(walk, case)
    walk.feed(envelope("case.completion.submitted", case, step=2))
    assert not walk.to("metering", "workorder.release.requested")  # reviewed first
    walk.feed(envelope("case.completion.approved", case, step=3))
    [release] = walk.to("metering", "workorder.release.requested")
    assert release.payload["workorder_id"] == f"AO-{case.case_id}"
    walk.feed(envelope("workorder.reported", case, step=4))
    assert not walk.to("elhub")
    [register] = walk.to("kis", "customer.registered")
    assert register.payload["customer_number"] == case.facilities[0].customer_number
    assert walk.status(case.case_id) == "completion_approved"  # not before KIS confirms
    assert walk.cases[case.case_id].side_tracks.customer_service == "to_customer_service"
    walk.reply(register, "case.sidetrack.updated",
               {"track": "customer_service", "state": "registered_in_kis"}, "kis")
    to_portal = [m.type for m in walk.to("elsmart")]
    assert to_portal[-1] == "case.archived" and "case.completion.approved" in to_portal
    state = walk.cases[case.case_id]
    assert (str(state.status), state.side_tracks.work_order,
            state.side_tracks.customer_service) == ("archived", "reported", "registered_in_kis")


def test_norwegian_new_metering_point_is_activated_before_the_customer(walk):
    case = _in_norway(norwegian_case(7))
    _approved_with_held_job(walk, case)
    for step, type_ in enumerate(("case.completion.submitted", "case.completion.approved",
                                  "workorder.reported"), start=2):
        walk.feed(envelope(type_, case, step=step))
    [new] = walk.to("elhub", "meteringpoint.updated")
    assert (new.payload["event"], new.payload["grid_area"], new.payload["grid_owner_gln"]) == (
        "new", "50Y73EMZ34CQL9AJ", NO_GRID_OWNER)
    assert not walk.to("kis", "customer.registered")
    walk.reply(new, "meteringpoint.acknowledged", {"status": "39", "event": "new",
               "original_message_id": new.message_id, "gsrn": new.payload["gsrn"]}, "elhub")
    activate = walk.to("elhub", "meteringpoint.updated")[-1]
    assert activate.payload["event"] == "activate"
    assert not walk.to("kis", "customer.registered")
    walk.reply(activate, "meteringpoint.acknowledged", {"status": "39", "event": "activate",
               "original_message_id": activate.message_id, "gsrn": new.payload["gsrn"]},
               "elhub")
    [register] = walk.to("kis", "customer.registered")
    walk.reply(register, "case.sidetrack.updated",
               {"track": "customer_service", "state": "registered_in_kis"}, "kis")
    assert walk.status(case.case_id) == "archived"


def test_a_resent_completion_makes_no_second_work_order(walk):
    case = swedish_case(8)
    _approved_with_held_job(walk, case)
    walk.feed(envelope("case.completion.submitted", case, step=2))
    walk.feed(envelope("case.completion.rejected", case, step=4))
    walk.feed(envelope("case.completion.submitted", case, step=5))
    walk.feed(envelope("case.completion.approved", case, step=6))
    assert [m.type for m in walk.to("metering")] == ["workorder.requested",
                                                     "workorder.release.requested"]
    assert [m.type for m in walk.to("notify")][-2:] == ["case.completion.rejected",
                                                         "case.completion.submitted"]


def test_norwegian_phase_rebuild_is_a_meter_change_then_done(walk):
    case = _in_norway(norwegian_case(1, installation_type="extension", job_type="phase_rebuild",
                                     flow="completion_only"))
    walk.feed(envelope("case.completion.submitted", case))
    assert not walk.to("metering")
    walk.feed(envelope("case.completion.approved", case, step=1))
    [job] = walk.to("metering", "workorder.requested")
    assert job.payload["kind"] == "rebuild_1_to_3_phase"
    for step, type_ in enumerate(("workorder.equipment.planned", "workorder.warehousetask.created",
                                  "workorder.assigned"), start=2):
        walk.feed(envelope(type_, case, step=step))
    notes = [m.payload["note"] for m in walk.to("elsmart", "case.note.added")]
    # In Norwegian for a Norwegian grid owner; the warehouse task is internal.
    assert [(n["subject"], n["author"]) for n in notes] == [
        ("Arbeidsordre", "Målekoordinator")] * 2
    assert not any("workorder." in n["text"] for n in notes)
    reported = sample_payload("workorder.reported", case) | {"kind": "rebuild_1_to_3_phase",
                                                             "meter_number": "NO-9900211"}
    walk.feed(envelope("workorder.reported", case, payload=reported, step=5))
    [master] = walk.to("elhub", "meteringpoint.updated")
    assert (master.payload["event"], master.payload["meter_number"]) == ("meter_change",
                                                                         "NO-9900211")
    assert walk.status(case.case_id) == "completion_approved"
    walk.reply(master, "meteringpoint.acknowledged",
               {"status": "39", "event": "meter_change", "original_message_id": master.message_id},
               "elhub")
    assert not walk.to("kis")
    assert walk.status(case.case_id) == "archived"


def test_metering_values_are_due_at_the_datahub_by_0700_the_next_day(walk):
    # a Norwegian point: Swedish values go to the supplier over Ediel (test_routes_ediel.py)
    values = envelope("meteringvalues.collected", norwegian_case(9))  # day 2024-03-13
    walk.feed(values)  # whether it is late is judged when the datahub accepts it
    assert len(walk.to("elhub")) == 1
    [due] = walk.due
    assert due.due == datetime(2024, 3, 14, 6, 0, tzinfo=UTC)
    assert due.route == "metering-values-to-datahub"
    assert due.detail == "payload.day 2024-03-13 is due by 2024-03-14T07:00:00+01:00"
    assert date.fromisoformat(values.payload["day"]) == date(2024, 3, 13)
