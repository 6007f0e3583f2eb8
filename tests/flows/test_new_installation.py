"""Flow 1, new installation in Sweden (seed 000): pre-notification, lookups in KIS and NIS,
the grid owner's decision, completion reviewed and approved, meter job, KIS registration,
archive."""

from __future__ import annotations

from hub.demo.cases import swedish_case
from tests.flows.conftest import in_handler_queue, mails_to, portal, work_until


def test_new_installation_from_notification_to_archive(d):
    case = swedish_case(1)
    cid, gsrn = case.case_id, case.facilities[0].facility_id.reveal()
    d.known_to_kis(case)
    d.installer.submit(case)
    # KIS and NIS answered, aggregated: not a rule case, so it waits for a person.
    d.wait_for(lambda: in_handler_queue(d, cid), "the case in the handler queue")
    d.wait_for(lambda: portal(d, cid).get("side_tracks", {}).get("preparation")
               == "to_preparation", "Till beredning in the portal")
    assert d.world.kis.calls.get("LookupFacility") == 1
    assert d.world.nis.calls.get("/nis/griddata") == 1

    d.handler.approve(cid)
    d.wait_for(lambda: portal(d, cid).get("status") == "approved", "Installationsmedgivande")
    d.wait_for(lambda: mails_to(d, case.installer.email), "the mail to the installer")

    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, cid), "the completion notice in the handler queue")
    d.handler.approve_completion(cid)
    work_until(d, cid, "archived")
    d.wait_for(lambda: portal(d, cid).get("status") == "archived", "archived in the portal")
    shown = portal(d, cid)
    assert shown["side_tracks"]["work_order"] == "reported"
    assert shown["side_tracks"]["customer_service"] == "registered_in_kis"
    # A Swedish grid owner reports to the Swedish market over Ediel, never to Elhub.
    assert gsrn not in d.world.elhub.hub.metering_points
    registrations = d.world.kis.state.data["registrations"].values()
    assert [r["facility_id"] for r in registrations if r["case_ref"] == cid] == [gsrn]
    row = d.case(cid)
    assert row.state["side_tracks"]["customer_service"] == "registered_in_kis"
    assert not d.store.dead_letters()


def test_simple_fuse_change_is_approved_by_rule_with_grid_data(d):
    # Case 7's connection point is 23 m from its substation: NIS reports 2.3 kA.
    case = swedish_case(7, installation_type="fuse_change", job_type="fuse_upgrade",
                        main_fuse_a=20)
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "approved", "approval by rule")
    shown = portal(d, case.case_id)
    assert shown["grid_data"]["service"]["substation"]  # Installationsmedgivande with grid data
    assert any(n["subject"] == "Automatiskt godkänd" for n in shown["notes"])
    assert "preparation" not in shown["side_tracks"]  # never in the handler queue
    [mail] = d.wait_for(lambda: mails_to(d, case.installer.email), "the approval mail")
    assert case.case_id in mail["subject"] + mail["body"]
