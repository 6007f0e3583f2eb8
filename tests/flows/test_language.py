"""Issue 15 item 12: text people read is in the case's language (Swedish for Swedish grid
owners, bokmål for Norwegian ones), never a message type name."""

from __future__ import annotations

from hub.demo.cases import norwegian_case, swedish_case
from tests.flows.conftest import in_handler_queue, portal


def test_item12_the_coordinator_and_the_installer_read_the_grid_owners_language(d):
    norwegian, swedish = norwegian_case(61), swedish_case(62)
    for case in (norwegian, swedish):
        d.known_to_kis(case)
        d.installer.submit(case)
    for case in (norwegian, swedish):
        d.wait_for(lambda c=case: in_handler_queue(d, c.case_id), f"{case.case_id} queued")
        d.handler.approve(case.case_id)
        d.wait_status(case.case_id, "approved")
    orders = d.wait_for(lambda: {o["externalRef"]: o["workOrderId"]
                                 for o in d.world.metering.orders.values()}
                        if len(d.world.metering.orders) == 2 else None, "both held jobs")
    for case in (norwegian, swedish):
        d.installer.cancel(case.case_id)
        d.wait_status(case.case_id, "cancelled")
    comments = d.wait_for(lambda: d.world.metering.cancel_comments
                          if len(d.world.metering.cancel_comments) == 2 else None,
                          "both jobs cancelled at the coordinator")
    assert comments[orders[norwegian.case_id]] == "Saken er avbrutt."
    assert comments[orders[swedish.case_id]] == "Ärendet är avbrutet."

    # The rule's approval note: bokmål for a Norwegian fuse change (case 92's connection
    # point is near enough its substation: NIS reports 1.4 kA).
    fuse = norwegian_case(92, installation_type="fuse_change", job_type="fuse_upgrade",
                          main_fuse_a=20)
    d.known_to_kis(fuse)
    d.installer.submit(fuse)
    d.wait_for(lambda: portal(d, fuse.case_id).get("status") == "approved", "approval by rule")
    [note] = [n for n in portal(d, fuse.case_id)["notes"] if n["author"] == "gridhub"]
    assert note["subject"] == "Automatisk godkjent"
    assert note["text"].startswith("Sikringsbytte til høyst 25 A")
    assert not d.store.dead_letters()
