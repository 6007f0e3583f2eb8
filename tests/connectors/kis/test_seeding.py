"""The KIS simulator seeded with customers over HTTP (issue 18 item 4): the connector then
finds them like any KIS customer; a wrong entry is refused whole, naming the field."""

from __future__ import annotations

import json

from tests.connectors.kis.test_connector import _lookup
from tests.connectors.kis.test_simulator import _call
from tests.factories import gsrn

CUSTOMER = {
    "customer_number": "990001",
    "customer": {"kind": "company", "name": "Kullabygdens Energi AB",
                 "address": {"street": "Hamngatan 4", "postcode": "26331", "town": "Höganäs"}},
    "facilities": [{"facility_id": gsrn(5001).reveal(), "meter_number": "9900011",
                    "main_fuse_a": 63,
                    "address": {"street": "Hamngatan 4", "postcode": "26331",
                                "town": "Höganäs"}}],
}


def test_a_seeded_customer_is_found_by_the_connector(kis_sim, connector):
    status, body = _call(kis_sim.url + "/_control/customers", json.dumps([CUSTOMER]).encode())
    assert status == 200 and json.loads(body) == {"customers": 1, "facilities": 1}
    [answer] = connector.deliver(_lookup(meter_number="9900011"))
    payload = answer.payload
    assert payload["status_code"] == 100
    assert payload["facility"]["facility_id"] == gsrn(5001).reveal()
    assert payload["facility"]["main_fuse_a"] == 63
    assert payload["customer"]["kind"] == "company"
    assert payload["customer"]["name"] == "Kullabygdens Energi AB"
    assert payload["customer"]["customer_number"] == "990001"


def test_a_wrong_entry_is_refused_whole_naming_the_field(kis_sim, connector):
    bad = {**CUSTOMER, "customer_number": "990002",
           "facilities": [{**CUSTOMER["facilities"][0], "facility_id": "735999000000000001"}]}
    status, body = _call(kis_sim.url + "/_control/customers",
                         json.dumps([{**CUSTOMER, "customer_number": "990003",
                                      "facilities": [{**CUSTOMER["facilities"][0],
                                                      "meter_number": "9900033"}]},
                                     bad]).encode())
    assert status == 400
    assert "customers[1]: facility_id" in json.loads(body)["error"]
    [answer] = connector.deliver(_lookup(meter_number="9900033"))
    assert answer.payload["status_code"] == 201  # the good entry before it was not kept either
