"""Issue 15, items 2, 5, 6 and 7: cancellation reaches the systems, the handler signs the
Installationsmedgivande, one work order and metering point per facility, and the market
message follows the grid owner."""

from __future__ import annotations

from hub.demo.cases import facility, norwegian_case, swedish_case
from tests.flows.conftest import in_handler_queue, mails_to, portal, work_until

NO_AREA = "50Y73EMZ34CQL9AJ"  # Sørlandsnett's metering grid area in routes.yaml


def _approved(d, case):
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), f"{case.case_id} in the queue")
    d.handler.approve(case.case_id)
    d.wait_status(case.case_id, "approved")


def _completed(d, case):
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion in the queue")
    d.handler.approve_completion(case.case_id)
    work_until(d, case.case_id, "archived")


def test_item2_cancellation_cancels_the_meter_job_and_tells_the_installer(d):
    case = swedish_case(31)
    _approved(d, case)
    [order] = d.wait_for(lambda: list(d.world.metering.orders.values()), "the held job")
    d.installer.cancel(case.case_id)
    d.wait_status(case.case_id, "cancelled")
    d.wait_for(lambda: d.world.metering.cancelled == [order["workOrderId"]],
               "the work order cancelled at the coordinator")
    d.wait_for(lambda: portal(d, case.case_id).get("side_tracks", {}).get("work_order")
               == "cancelled", "Arbetsorder avbruten in the portal")
    [mail] = d.wait_for(lambda: [m for m in mails_to(d, case.installer.email)
                                 if "avbrutet" in m["subject"]], "the cancellation mail")
    assert "Kunden har ångrat sig." in mail["body"]
    assert d.coordinator.advance() == []  # nothing left to mount
    assert case.facilities[0].facility_id.reveal() not in d.world.elhub.hub.metering_points
    assert not d.store.dead_letters()


def test_item2_no_cancellation_after_the_completion_is_approved(d):
    case = norwegian_case(32)
    _approved(d, case)
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion in the queue")
    d.handler.approve_completion(case.case_id)
    d.wait_status(case.case_id, "completion_approved")
    d.installer.cancel(case.case_id)  # Arkiverad av Nätthandläggare: too late
    [dead] = d.wait_for(lambda: d.store.dead_letters(), "the refused cancellation")
    assert dead.message_type == "case.cancelled"
    assert "cannot go from completion_approved" in dead.exception_message
    work_until(d, case.case_id, "archived")  # the hub goes on with the case
    assert d.world.metering.cancelled == []


def test_item5_installationsmedgivande_signed_by_the_handler_and_kept(d):
    case = swedish_case(33, installation_type="extension", job_type="single_meter")
    d.known_to_kis(case)
    d.installer.submit(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the case in the queue")
    d.handler.reject(case.case_id, "Situationsplan saknas.")
    d.wait_status(case.case_id, "pre_rejected")
    d.installer.resubmit(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the resent case in the queue")
    d.handler.approve(case.case_id)
    d.wait_for(lambda: portal(d, case.case_id).get("status") == "approved", "approved")
    shown = portal(d, case.case_id)["grid_data"]
    assert shown["signature"] == "Maria Holm"  # not "NIS Netbas (simulator)"
    assert shown["decision"] == "approved" and shown["bill_customer"] is True
    assert shown["project_number"].startswith("59") and shown["currency"] == "SEK"
    assert float(shown["connection_fee"]) >= 1500
    assert shown["service"]["substation"]  # NIS's grid data, carried on
    _completed(d, case)
    kept = d.case(case.case_id).state["case"]
    assert kept["grid_data"]["signature"] == "Maria Holm"
    assert "Situationsplan saknas." in [n["text"] for n in kept["notes"]]
    assert not d.store.dead_letters()


def test_item6_block_one_work_order_and_metering_point_per_facility(d):
    facilities = [facility(340 + i, "NO") for i in range(3)]
    case = norwegian_case(34, facilities=facilities)
    _approved(d, case)
    d.wait_for(lambda: len(d.world.metering.orders) == 3, "three held work orders")
    _completed(d, case)
    gsrns = {f.facility_id.reveal() for f in facilities}
    ordered = {o["meteringPoint"]["gsrn"] for o in d.world.metering.orders.values()}
    assert ordered == gsrns
    points = d.world.elhub.hub.metering_points
    assert {g: points[g]["status"] for g in gsrns} == dict.fromkeys(gsrns, "active")
    registrations = d.world.kis.state.data["registrations"].values()
    assert {r["facility_id"] for r in registrations if r["case_ref"] == case.case_id} == gsrns
    assert "block_notification" in d.case(case.case_id).state["flags"]
    assert not d.store.dead_letters()


def test_item7_the_market_message_follows_the_grid_owner(d):
    se, no = swedish_case(35), norwegian_case(35)
    for case in (se, no):
        _approved(d, case)
        _completed(d, case)
    points = d.world.elhub.hub.metering_points
    assert se.facilities[0].facility_id.reveal() not in points  # Sweden: Ediel, not Elhub
    point = points[no.facilities[0].facility_id.reveal()]
    assert point["status"] == "active"  # 121, then 122 once accepted
    assert point["grid_owner"] == no.grid_owner.gln.reveal()  # the grid owner's market party
    to_elhub = [t for t in d.store.trace(se.case_id) if t.target == "elhub"]
    assert to_elhub == []
    # The Swedish master data is made for the Ediel connector (market: ediel), not Elhub.
    assert any(t.type == "meteringpoint.updated" and t.hop == "received"
               for t in d.store.trace(se.case_id))
    delivered = [t for t in d.store.trace(no.case_id)
                 if t.target == "elhub" and t.hop == "delivered"]
    assert len(delivered) == 2  # the new metering point, then its activation
    registrations = d.world.kis.state.data["registrations"].values()
    assert {r["case_ref"] for r in registrations} == {se.case_id, no.case_id}
    # The work order's notes in the grid owner's language, for people, never a type name.
    for case, subject in ((se, "Arbetsorder"), (no, "Arbeidsordre")):
        notes = [n for n in portal(d, case.case_id)["notes"] if n["subject"] in (
            "Arbetsorder", "Arbeidsordre")]
        assert notes and {n["subject"] for n in notes} == {subject}
        assert not any("workorder." in n["text"] for n in notes)
    assert not d.store.dead_letters()


def test_item10_nis_documents_the_new_installation(d):
    case = norwegian_case(36)
    gsrn = case.facilities[0].facility_id.reveal()
    _approved(d, case)
    assert gsrn not in d.world.nis.state.installations
    _completed(d, case)
    registered = d.wait_for(lambda: d.world.nis.state.installations.get(gsrn),
                            "the installation in NIS")
    order = next(iter(d.world.metering.orders.values()))
    assert registered["case_ref"] == case.case_id
    assert registered["meter_number"] == order["meteringPoint"]["meterNumber"]  # the new meter
    assert registered["substation"] == case.facilities[0].substation
    assert not d.store.dead_letters()


def test_item9_kis_registration_creates_the_customer_and_waits_for_kis(d):
    refused, created = swedish_case(37), swedish_case(38)  # new: not in KIS beforehand
    for case in (refused, created):
        assert case.facilities[0].facility_id.reveal() not in d.world.kis.state.data[
            "facilities"]
        d.installer.submit(case)
        d.wait_for(lambda c=case: in_handler_queue(d, c.case_id), "queued")
        d.handler.approve(case.case_id)
        d.wait_status(case.case_id, "approved")
    d.world.kis.fail("reject")  # KIS refuses the first registration
    d.installer.complete(refused)
    d.wait_for(lambda: in_handler_queue(d, refused.case_id), "the completion in the queue")
    d.handler.approve_completion(refused.case_id)
    [dead] = d.wait_for(lambda: (d.coordinator.advance() or True)
                        and d.store.dead_letters(connector="kis"), "KIS's refusal")
    assert dead.message_type == "customer.registered"
    row = d.case(refused.case_id)
    assert row.status == "completion_approved"  # not archived: KIS has not confirmed
    assert row.state["side_tracks"]["customer_service"] == "to_customer_service"
    d.wait_for(lambda: portal(d, refused.case_id).get("side_tracks", {})
               .get("customer_service") != "registered_in_kis", "not Registrerad i KIS")

    d.world.kis.fail("none")
    d.installer.complete(created)
    d.wait_for(lambda: in_handler_queue(d, created.case_id), "the completion in the queue")
    d.handler.approve_completion(created.case_id)
    work_until(d, created.case_id, "archived")
    facility_ = created.facilities[0]
    kis = d.world.kis.state.data
    assert kis["facilities"][facility_.facility_id.reveal()]["customer_number"] == \
        facility_.customer_number
    assert kis["customers"][facility_.customer_number]["name"] == created.property_owner.name
    d.wait_for(lambda: portal(d, created.case_id).get("side_tracks", {})
               .get("customer_service") == "registered_in_kis", "Registrerad i KIS")


def test_item9_a_fuse_change_changes_the_tariff_in_kis(d):
    # Case 7's connection point is 23 m from its substation (2.3 kA): approved by rule.
    case = swedish_case(7, installation_type="fuse_change", job_type="fuse_upgrade",
                        main_fuse_a=20)
    gsrn = case.facilities[0].facility_id.reveal()
    d.known_to_kis(case)
    d.world.kis.state.data["facilities"][gsrn]["main_fuse_a"] = 16  # the fuse before
    d.installer.submit(case)
    d.wait_status(case.case_id, "approved")
    d.installer.complete(case)
    d.wait_for(lambda: in_handler_queue(d, case.case_id), "the completion in the queue")
    d.handler.approve_completion(case.case_id)
    d.wait_status(case.case_id, "archived")
    facility_ = d.world.kis.state.data["facilities"][gsrn]
    assert (facility_["main_fuse_a"], facility_["tariff"]) == (20, "SÄKRING-20A")
    d.wait_for(lambda: portal(d, case.case_id).get("side_tracks", {})
               .get("customer_service") == "done", "Färdig från kundservice")
    hops = [(t.hop, t.type) for t in d.store.trace(case.case_id)]
    assert hops.index(("delivered", "tariff.change.requested")) < hops.index(
        ("received", "case.archived"))
    assert not d.store.dead_letters()


def test_item11_disconnection_removes_the_meter_deactivates_and_ends_the_customer(d):
    case = norwegian_case(43, installation_type="temporary", job_type="construction_power",
                          temporary_kind="disconnect")
    gsrn = case.facilities[0].facility_id.reveal()
    d.known_to_kis(case)
    d.known_to_datahub(case)  # the construction power's metering point is active
    _approved(d, case)
    assert not d.world.metering.orders  # nothing to mount
    _completed(d, case)
    [order] = d.world.metering.orders.values()
    assert order["orderType"] == "NEDTAK_MALER"  # Nedtak av måler
    assert d.world.elhub.hub.metering_points[gsrn]["status"] == "inactive"  # BRS-NO-212
    assert d.world.kis.state.data["facilities"][gsrn].get("ended_on")
    d.wait_for(lambda: portal(d, case.case_id).get("side_tracks", {})
               .get("customer_service") == "done", "Färdig från kundservice")
    assert gsrn not in d.world.nis.state.installations  # nothing new to document
    assert not d.store.dead_letters()
