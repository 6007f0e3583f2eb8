"""The shipped routes.yaml for the Swedish market: a Swedish point's values go to its supplier
over Ediel (not to the Norwegian datahub), a start of supply is confirmed, and a rejection or a
missing acknowledgement is delivered to the connector, which dead-letters it."""

from __future__ import annotations

from hub.pipeline import case_view
from hub.router import Delivery
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gsrn
from tests.hub.test_routes_shipped import Walk


def _values(prefix: str) -> Envelope:
    gsrn = make_gsrn(4, prefix).reveal()
    return Envelope(case_id=gsrn, type="meteringvalues.collected", source="metering",
                    payload={"gsrn": gsrn, "day": "2026-10-14", "resolution": "PT15M",
                             "observations": [{"position": 1, "quantity": "1"}]})


def test_swedish_values_to_ediel_norwegian_to_the_datahub():
    walk = Walk()
    walk.feed(_values("735999"))
    walk.feed(_values("707057"))
    assert [m.payload["gsrn"][:6] for m in walk.to("ediel")] == ["735999"]
    assert [m.payload["gsrn"][:6] for m in walk.to("elhub")] == ["707057"]


def test_a_suppliers_start_and_end_of_supply_go_to_kis_not_straight_to_an_answer():
    walk = Walk()
    for type_ in ("supply.start.notified", "supply.end.notified"):
        walk.feed(Envelope(case_id="SUP-1", type=type_, source="ediel", payload={
            "metering_point": "735999123456789018", "reason": "switch",
            "effective_on": "2026-11-01", "supplier": "12345", "grid_owner": "54321",
            "grid_area": "XYZ", "document_id": "D1", "case_reference": "SUP-1"}))
    assert [m.type for m in walk.to("kis")] == ["supply.start.notified", "supply.end.notified"]
    assert walk.to("ediel") == []  # no Z04/Z05 before KIS has it


def _registered(**payload) -> Envelope:
    base = {"change": "start", "metering_point": "735999123456789018", "reason": "switch",
            "effective_on": "2026-11-01", "supplier": "12345", "grid_area": "XYZ",
            "case_reference": "SUP-1", "in_operation": True, "meter_number": "M-77"}
    return Envelope(case_id="SUP-1", type="supply.registered", source="kis",
                    payload={**base, **payload})


def test_a_switch_kis_registered_is_confirmed_to_the_new_supplier_and_ended_to_the_old():
    walk = Walk()
    walk.feed(_registered(previous_supplier="23456"))
    [start] = walk.to("ediel", "supply.start.confirmed")
    [end] = walk.to("ediel", "supply.end.confirmed")
    assert (start.payload["supplier"], start.payload["meter_number"]) == ("12345", "M-77")
    assert (end.payload["supplier"], end.payload["effective_on"]) == ("23456", "2026-11-01")
    assert start.case_id == end.case_id == "SUP-1"
    assert walk.to("ediel", "supply.registered") == []


def test_a_start_without_a_previous_supplier_sends_no_z05():
    walk = Walk()
    walk.feed(_registered())
    assert [m.type for m in walk.to("ediel")] == ["supply.start.confirmed"]


def test_a_start_at_a_point_not_in_operation_waits_in_the_connector_for_the_meter():
    walk = Walk()
    walk.feed(_registered(in_operation=False, reason="move_in"))
    assert [m.type for m in walk.to("ediel")] == ["supply.registered"]
    mounted = Envelope(case_id="SE-10001", type="meteringpoint.updated", source="hub",
                       payload={"gsrn": "735999123456789018", "event": "new",
                                "effective_at": "2026-10-20T08:00:00Z"})
    destinations = [a.destination for a in walk.router.route(mounted, case_view(None))
                    if isinstance(a, Delivery)]
    assert "ediel" in destinations
    changed = mounted.model_copy(update={"payload": {**mounted.payload,
                                                     "event": "meter_change"}})
    assert "ediel" not in [a.destination for a in walk.router.route(changed, case_view(None))
                           if isinstance(a, Delivery)]


def test_a_suppliers_own_end_of_contract_is_confirmed_with_z05():
    walk = Walk()
    walk.feed(_registered(change="end", reason="rescission"))
    [end] = walk.to("ediel", "supply.end.confirmed")
    assert end.payload["supplier"] == "12345"


def test_only_rejected_or_missing_acknowledgements_go_to_the_connector():
    walk = Walk()
    for status, codes in (("accepted", []), ("rejected", ["41"])):
        walk.feed(Envelope(case_id="c", type="market.acknowledged", source="ediel", payload={
            "kind": "aperak", "status": status, "original_message_id": "m",
            "interchange_reference": "R", "codes": codes}))
    assert [m.payload["status"] for m in walk.to("ediel")] == ["rejected"]


def test_a_withdrawn_start_is_confirmed_with_z04c_and_ends_nobodys_supply():
    walk = Walk()
    walk.feed(_registered(reason="cancellation", in_operation=False))
    [withdrawn] = walk.to("ediel", "supply.start.confirmed")
    assert withdrawn.payload["reason"] == "cancellation"
    assert walk.to("ediel", "supply.end.confirmed") == []
    assert walk.to("ediel", "supply.registered") == []
