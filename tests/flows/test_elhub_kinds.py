"""Elhub document kinds through the simulator: the datahub queues them, the hub polls, keeps
and routes each to the system that acts on it; a grid owner's answer goes back to the datahub."""

from __future__ import annotations

import uuid
from typing import Any

from connectors.elhub import kinds
from schemas.envelope import Envelope
from tests.factories import gsrn

ELHUB, US = "7080010001009", "7080005051019"
POINT = gsrn(31, "NO").reveal()


def _doc(type_: str, process: str, role: str, body: dict[str, Any], *, many: bool = False,
         document_type: str = "E66") -> bytes:
    header = {"id": str(uuid.uuid4()), "document_type": {"value": document_type,
                                                          "agency": "6" if document_type.isdigit()
                                                          else "260"},
              "creation": "2026-03-13T06:00:00.123456789+01:00", "physical_sender": ELHUB,
              "juridical_sender": ELHUB, "juridical_recipient": US}
    payload = {"header": header, "context": {
        "process": process, "energy_business_process_role": {"value": role, "agency": "6"},
        "industry": "23"}, ("payloads" if many else "payload"): [body] if many else body}
    message = Envelope(case_id=POINT, type=type_, source="test", payload=payload)
    return kinds.to_bytes(message)


CUSTOMER = {"identification": {"value": "91234567", "scheme": "82"}, "name": "Fjell AS",
            "extended_storage_metering_values": "false"}
ADDRESS = {"address_type": "invoiceadr", "postcode": "0150", "city_name": "Oslo",
           "country_code": "NO"}


def test_every_family_reaches_the_system_that_acts_on_it(d):
    sim = d.world.elhub
    sim.queue("market", _doc("supply.start.registered", "BRS-NO-101", "DDM", {
        "start": "2026-04-01T00:00:00+02:00", "metering_point": POINT,
        "grid_area": "50Y73EMZ34CQL9AJ", "balance_supplier": "7080000000017",
        "customer": CUSTOMER, "customer_addresses": [ADDRESS]}, document_type="414"))
    sim.queue("market", _doc("meteringpoint.characteristics.notified", "BRS-NO-317", "DDM", {
        "start": "2026-04-01T00:00:00Z", "metering_point": POINT,
        "annual_estimate": {"total": "4200", "calculation_method": "Manual"}}, many=True,
        document_type="E10"))
    sim.queue("metering", _doc("meteringvalues.resend.requested", "BRS-NO-314", "DDM", {
        "reminder_type": "IV", "reminders": [{"period": {
            "start": "2026-03-11T23:00:00Z", "end": "2026-03-12T23:00:00Z"},
            "metering_point": POINT}]}, document_type="E39"))
    sim.queue("metering", _doc("meteringvalues.reported", "BRS-NO-311", "DDQ", {
        "id": str(uuid.uuid4()), "registered": "2026-03-13T05:00:00Z",
        "period": {"start": "2026-03-12T00:00:00+01:00"}, "metering_point": POINT,
        "profiled": {"meter_index": {"value": "12345.678", "reason_code": "1"}}}, many=True,
        document_type="E39"))
    kis, nis, metering = d.world.kis.market, d.world.nis.market, d.world.metering.market
    d.wait_for(lambda: kis.of_type("supply.start.registered")
               and kis.of_type("meteringpoint.characteristics.notified")
               and nis.of_type("meteringpoint.characteristics.notified")
               and metering.of_type("meteringvalues.resend.requested")
               and metering.of_type("meteringvalues.reported"), "every kind at its system")
    (start,) = kis.of_type("supply.start.registered")
    assert start["payload"]["payload"]["customer"] == CUSTOMER  # kept whole, as sent
    (read,) = metering.of_type("meteringvalues.reported")
    assert read["payload"]["payloads"][0]["profiled"]["meter_index"]["value"] == "12345.678"
    assert not d.store.dead_letters()


def test_a_request_to_the_grid_owner_goes_to_kis_and_the_answer_back(d):
    question = _doc("gridaccess.requested", "BRS-NO-601", "DDQ", {
        "query_category": "GAP_METERING", "subject": "Målerbytte",
        "request_public": "Når byttes måleren?", "metering_point": POINT}, document_type="21")
    d.world.elhub.queue("market", question)
    kis = d.world.kis.market
    (asked,) = d.wait_for(lambda: kis.of_type("gridaccess.requested"), "the question at KIS")
    answer = Envelope(case_id=POINT, type="gridaccess.answered", source="kis", payload={
        "header": {**asked["payload"]["header"], "id": str(uuid.uuid4()),
                   "physical_sender": US, "juridical_sender": US, "juridical_recipient": ELHUB},
        "context": {"process": "BRS-NO-601",
                    "energy_business_process_role": {"value": "DDM", "agency": "6"},
                    "industry": "23"},
        "payload": {"original_document": asked["payload"]["header"]["id"],
                    "feedback_public": "Måleren byttes i uke 14.", "metering_point": POINT}})
    d.publish_raw(answer.model_dump_json().encode())
    received = d.world.elhub.hub.received
    d.wait_for(lambda: any(r.tag.endswith("ResponseFromGridAccessProvider") for r in received),
               "the answer at the datahub")
    assert not d.store.dead_letters()
