"""Flow 3: rejected and resent, completion rejected and resent, wrong installation type
(copy to a new case, the old one deleted), cancellation."""

from __future__ import annotations

from hub.demo.cases import swedish_case
from hub.demo.mix import Plan, copy_for_new_type
from tests.flows.conftest import in_handler_queue, mails_to, portal


def _to_queue(d, case):
    d.wait_for(lambda: in_handler_queue(d, case.case_id), f"{case.case_id} in the handler queue")


def test_rejected_resubmitted_then_approved(d):
    case = swedish_case(5, installation_type="extension", job_type="single_meter")
    d.known_to_kis(case)
    d.installer.submit(case)
    _to_queue(d, case)
    d.handler.reject(case.case_id, "Situationsplan saknas.")
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "pre_rejected", "Avvisad")
    shown = portal(d, case.case_id)
    assert shown["notes"][-1]["text"] == "Situationsplan saknas."
    assert "rejected_before" in shown["flags"]
    d.wait_for(lambda: mails_to(d, case.installer.email), "the rejection mail")

    d.installer.resubmit(case)
    d.wait_for(lambda: d.world.nis.calls.get("/nis/griddata") == 2, "grid data asked again")
    _to_queue(d, case)
    d.handler.approve(case.case_id)
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "approved", "approval")

    # Completion rejected, then resent and approved by the handler; archived by the routes.
    d.installer.complete(case)
    d.wait_status(case.case_id, "completion_submitted")
    d.handler.reject_completion(case.case_id, "Mätarplats saknas.")
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "completion_rejected",
               "Avvisad färdiganmälan")
    d.installer.complete(case)
    d.wait_status(case.case_id, "completion_submitted")
    d.handler.approve_completion(case.case_id)
    d.wait_status(case.case_id, "archived")
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "archived", "archived")
    assert not d.store.dead_letters()


def test_wrong_installation_type_copy_and_deletion(d):
    plan = Plan(swedish_case(6, installation_type="temporary", job_type="construction_power"))
    d.known_to_kis(plan.case)
    d.installer.submit(plan.case)
    _to_queue(d, plan.case)
    d.handler.reject(plan.case_id, "Fel installationstyp: utökning.", wrong_installation_type=True)
    d.wait_status(plan.case_id, "pre_rejected")
    copy = copy_for_new_type(plan)
    d.installer.submit(copy.case)
    d.installer.request_deletion(plan.case_id, replaced_by=copy.case_id)
    old = d.wait_status(plan.case_id, "cancelled")
    assert "deletion_requested" in old.state["flags"]
    _to_queue(d, copy.case)
    assert d.status(copy.case_id) == "submitted"


def test_cancellation_from_an_open_status(d):
    case = swedish_case(14)
    d.known_to_kis(case)
    d.installer.submit(case)
    _to_queue(d, case)
    d.installer.cancel(case.case_id)
    row = d.wait_status(case.case_id, "cancelled")
    assert row.flow == "with_prenotification"
    assert not d.store.dead_letters()
