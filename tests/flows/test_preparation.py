"""Issue 15, item 4: Beredning is the grid owner's preparation, reported by NIS's project
side (Till beredning -> Beredning pågår -> Färdig från beredning, seed 000 §7), apart from
the handler queue."""

from __future__ import annotations

from hub.demo.cases import swedish_case
from tests.flows.conftest import in_handler_queue, portal


def _preparation(d, case_id):
    return portal(d, case_id).get("side_tracks", {}).get("preparation")


def test_item4_preparation_is_driven_by_nis_apart_from_the_handler_queue(d):
    new = swedish_case(41)
    fuse = swedish_case(42, installation_type="fuse_change", job_type="fuse_upgrade",
                        main_fuse_a=35)  # above the rule: a person decides, no grid work
    for case in (new, fuse):
        d.known_to_kis(case)
        d.installer.submit(case)
        d.wait_for(lambda c=case: in_handler_queue(d, c.case_id), f"{case.case_id} queued")
    d.wait_for(lambda: _preparation(d, new.case_id) == "to_preparation", "Till beredning")
    sources = {t.source for t in d.store.trace(new.case_id)
               if t.type == "case.sidetrack.updated" and t.hop == "received"}
    assert sources == {"nis"}  # NIS's project side, not the queue
    d.handler.approve(new.case_id)  # the decision does not wait for the preparation
    d.wait_status(new.case_id, "approved")
    assert _preparation(d, new.case_id) == "to_preparation"
    d.planners.advance()
    d.wait_for(lambda: _preparation(d, new.case_id) == "in_progress", "Beredning pågår")
    d.planners.advance()
    d.wait_for(lambda: _preparation(d, new.case_id) == "done", "Färdig från beredning")
    assert d.case(new.case_id).state["side_tracks"]["preparation"] == "done"
    assert _preparation(d, fuse.case_id) is None  # a fuse change needs no grid work planned
    assert in_handler_queue(d, fuse.case_id)
    assert not d.store.dead_letters()
