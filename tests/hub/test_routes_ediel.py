"""The shipped routes.yaml for the Swedish market: a Swedish point's values go to its supplier
over Ediel (not to the Norwegian datahub), a start of supply is confirmed, and a rejection or a
missing acknowledgement is delivered to the connector, which dead-letters it."""

from __future__ import annotations

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


def test_start_of_supply_is_confirmed_to_the_supplier():
    walk = Walk()
    walk.feed(Envelope(case_id="SUP-1", type="supply.start.notified", source="ediel", payload={
        "metering_point": "735999123456789018", "reason": "switch", "effective_on": "2026-11-01",
        "supplier": "12345", "grid_owner": "54321", "grid_area": "XYZ", "document_id": "D1",
        "case_reference": "SUP-1"}))
    [confirmed] = walk.to("ediel", "supply.start.confirmed")
    assert confirmed.payload["supplier"] == "12345" and confirmed.case_id == "SUP-1"
    assert confirmed.payload["effective_on"] == "2026-11-01"


def test_only_rejected_or_missing_acknowledgements_go_to_the_connector():
    walk = Walk()
    for status, codes in (("accepted", []), ("rejected", ["41"])):
        walk.feed(Envelope(case_id="c", type="market.acknowledged", source="ediel", payload={
            "kind": "aperak", "status": status, "original_message_id": "m",
            "interchange_reference": "R", "codes": codes}))
    assert [m.payload["status"] for m in walk.to("ediel")] == ["rejected"]
