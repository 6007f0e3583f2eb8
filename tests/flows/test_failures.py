"""Flow 6: KIS down while lookups are in flight (retried, the case goes on when it is back);
the datahub rejecting master data (41): dead letter with the reason, case on hold, others go
on."""

from __future__ import annotations

from hub.demo.cases import norwegian_case, swedish_case
from tests.flows.conftest import in_handler_queue, portal


def test_kis_down_then_back_the_case_goes_on(d):
    case = swedish_case(11)
    d.known_to_kis(case)
    d.world.kis.fail("down")
    d.installer.submit(case)
    d.wait_for(lambda: any(t.hop == "retry-scheduled" and t.target == "kis"
                           for t in d.store.trace(case.case_id)), "a scheduled retry to kis")
    assert not in_handler_queue(d, case.case_id)  # waiting for KIS's answer
    d.world.kis.fail("none")
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the case enriched after kis is back")
    assert not d.store.dead_letters()


def test_datahub_rejection_is_dead_lettered_and_case_on_hold(d):
    bad, good = (norwegian_case(n, installation_type="work_in_existing",
                                job_type="phase_rebuild") for n in (12, 13))
    for case in (bad, good):
        d.known_to_kis(case)
        d.known_to_datahub(case)
    d.world.elhub.fail("reject")
    d.installer.complete(bad, completion_only=True)
    d.wait_for(lambda: in_handler_queue(d, bad.case_id), "the completion in the queue")
    d.handler.approve_completion(bad.case_id)

    def rejected():
        d.coordinator.advance()
        return d.store.dead_letters(connector="elhub")

    [dl] = d.wait_for(rejected, "the datahub's rejection in the dead letters")
    assert dl.message_type == "meteringpoint.updated" and dl.case_id == bad.case_id
    assert "E14" in dl.exception_message + str(dl.remote_fault)
    d.wait_for(lambda: "on_hold" in d.case(bad.case_id).state["flags"], "case on hold")
    d.wait_for(lambda: "on_hold" in portal(d, bad.case_id).get("flags", []), "on hold in portal")

    d.world.elhub.fail("none")
    d.installer.complete(good, completion_only=True)
    d.wait_for(lambda: in_handler_queue(d, good.case_id), "the other completion in the queue")
    d.handler.approve_completion(good.case_id)

    def done():
        d.coordinator.advance()
        return d.status(good.case_id) == "archived"

    d.wait_for(done, "the other case archived")
    assert d.status(bad.case_id) == "completion_approved"  # waits for the datahub
