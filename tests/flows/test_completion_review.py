"""Issue 15, items 1 and 3: the completion notice is reviewed before anything is released
(seed 000 §12); a rejected completion comes back to the handler queue when it is resent."""

from __future__ import annotations

from hub.demo.cases import norwegian_case, swedish_case
from hub.ops import handling
from tests.flows.conftest import in_handler_queue, portal, work_until


def _hops(d, case_id):
    return [(t.hop, t.type) for t in d.store.trace(case_id)]


def _first(hops, message_type):
    return next(i for i, (hop, type_) in enumerate(hops)
                if hop == "received" and type_ == message_type)


def test_item1_completion_reviewed_then_meter_job_released(d):
    case = swedish_case(21)
    cid = case.case_id
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, cid), "the pre-notification in the queue")
    d.handler.approve(cid)
    # Installationsmedgivande: the meter work order is created, and held.
    [order] = d.wait_for(lambda: list(d.world.metering.orders.values()), "the held work order")
    d.wait_for(lambda: portal(d, cid).get("side_tracks", {}).get("work_order") == "created",
               "Arbetsorder skapad in the portal")

    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, cid), "the completion notice in the queue")
    assert d.coordinator.advance() == []  # held: no step before the completion is approved
    d.handler.reject_completion(cid, "Mätarplats saknas.")
    d.wait_for(lambda: portal(d, cid).get("status") == "completion_rejected",
               "Avvisad färdiganmälan")
    assert portal(d, cid)["notes"][-1]["text"] == "Mätarplats saknas."
    assert not in_handler_queue(d, cid)  # with the installer now

    d.installer.complete(case)  # corrected and resent: reviewed again
    d.wait_for(lambda: in_handler_queue(d, cid), "the resent completion in the queue")
    assert d.coordinator.advance() == []
    d.handler.approve_completion(cid)
    d.wait_status(cid, "completion_approved")
    work_until(d, cid, "archived")
    assert len(d.world.metering.orders) == 1  # no second work order
    assert order["externalRef"] == cid
    hops = _hops(d, cid)
    # Arkiverad av Nätthandläggare, the release, the meter, KIS, and only then Arkiverad.
    assert _first(hops, "case.completion.approved") < _first(
        hops, "workorder.release.requested") < _first(hops, "workorder.reported") < _first(
        hops, "customer.registered") < _first(hops, "case.archived")
    d.wait_for(lambda: portal(d, cid).get("status") == "archived", "Arkiverad in the portal")
    assert not d.store.dead_letters()


def test_item3_completion_rejected_while_meter_job_waits_is_listed_again(d):
    # The meter job of a new installation exists from the approval on; a completion rejected
    # meanwhile used to leave the case in Färdiganmälan, invisible to `gridhub handle list`.
    case = norwegian_case(22)
    cid = case.case_id
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, cid), "the pre-notification in the queue")
    d.handler.approve(cid)
    d.wait_for(lambda: d.world.metering.orders, "the work order")
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, cid), "the completion in the queue")
    d.handler.reject_completion(cid, "Samsvarserklæring mangler.")
    d.wait_status(cid, "completion_rejected")
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, cid), "listed again after the resend")
    [waiting] = [w for w in handling.waiting(d.store) if w.case_id == cid]
    assert waiting.status == "completion_submitted" and "review" in waiting.why
    d.handler.approve_completion(cid)
    work_until(d, cid, "archived")
    assert len(d.world.metering.orders) == 1
    assert not d.store.dead_letters()
