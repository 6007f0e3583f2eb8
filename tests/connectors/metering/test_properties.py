"""Property-based: every metering mapping round-trips canonical -> JSON -> canonical for
anything the contract carries, and no bytes make the parser fail other than with
InvalidMessage."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.metering import MeteringConnector, wire
from hub.errors import InvalidMessage
from schemas.codes import WorkOrderKind
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gln, make_gsrn
from schemas.payloads import parse_payload

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

gsrns = st.integers(0, 10**6).map(lambda n: make_gsrn(n, "707057").reveal())
glns = st.integers(0, 10**6).map(lambda n: make_gln(n, "708").reveal())
instants = st.datetimes(datetime(2000, 1, 1), datetime(2099, 1, 1), timezones=st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-3, minutes=-30))]))
kinds = st.sampled_from([k.value for k in WorkOrderKind])
kwh = st.decimals(Decimal(0), Decimal("999999999.999"), places=3).map(str)


def text(limit: int) -> st.SearchStrategy[str]:
    """Any printable text a person or a system writes: the model strips outer whitespace, and
    its single-line fields refuse control characters (schemas.text)."""
    printable = st.characters(codec="utf-8", exclude_categories=("Cc", "Zl", "Zp"))
    return st.text(printable, min_size=1, max_size=limit) \
        .filter(lambda s: s == s.strip() and bool(s))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def reading() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"obis_code": st.sampled_from(["1.8.0", "2.8.0"]),
                                  "value_kwh": kwh,
                                  "read_at": instants.map(datetime.isoformat)})


def workorder(**extra: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "workorder_id": text(64), "kind": kinds, "gsrn": optional(gsrns),
        "meter_number": optional(text(40)), "at": instants.map(datetime.isoformat),
        "comment": optional(text(300)), **extra})


address = st.fixed_dictionaries({
    "street": text(300), "town": text(300), "country": st.just("NO"),
    "postcode": st.from_regex(r"[0-9]{4}", fullmatch=True)})
attachment = st.fixed_dictionaries({
    "name": text(300), "media_type": st.sampled_from(["application/pdf", "image/jpeg"]),
    "size": st.integers(0, 2**31), "sha256": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    "origin": st.sampled_from(["installer", "grid_owner", "template"])})

PAYLOADS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "workorder.requested": st.fixed_dictionaries({
        "kind": kinds, "gsrn": optional(gsrns), "meter_number": optional(text(40)),
        "address": optional(address), "wanted_on": optional(st.dates().map(date.isoformat)),
        "at": instants.map(datetime.isoformat)}),
    "workorder.created": workorder(),
    "workorder.equipment.planned": workorder(equipment=st.lists(text(300), min_size=1,
                                                                max_size=3)),
    "workorder.warehousetask.created": workorder(warehouse_task_id=text(64)),
    "workorder.assigned": workorder(assignee=text(300), assignee_gln=optional(glns)),
    # the contract's report needs the meter in place and its reading
    "workorder.reported": workorder(meter_number=text(40), reading=reading(),
                                    old_meter_number=optional(text(40)),
                                    old_reading=optional(reading()),
                                    documentation=st.lists(attachment, max_size=2)),
    "workorder.cancelled": workorder(),
    "workorder.deviation": workorder(deviation=text(300)),
}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


@st.composite
def messages(draw: st.DrawFn) -> Envelope:
    type_ = draw(st.sampled_from(sorted(PAYLOADS)))
    payload = _clean(draw(PAYLOADS[type_]))
    # On the wire the event time is the work order's time (occurredAt / requestedAt):
    # one value, so the envelope's time is the payload's.
    return Envelope(message_id=draw(text(64)), case_id=draw(text(64)), type=type_,
                    source="gridhub", occurred_at=datetime.fromisoformat(payload["at"]),
                    payload=payload)


def normal(message: Envelope) -> dict[str, Any]:
    return parse_payload(message).model_dump(exclude_none=True)


@FAST
@given(messages())
def test_work_order_messages_round_trip(message: Envelope) -> None:
    (back,) = MeteringConnector.to_canonical(MeteringConnector.to_wire(message))
    assert (back.message_id, back.case_id, back.type, back.occurred_at) == \
        (message.message_id, message.case_id, message.type, message.occurred_at)
    assert normal(back) == normal(message)


@st.composite
def collected(draw: st.DrawFn) -> Envelope:
    resolution = draw(st.sampled_from(["PT15M", "PT1H"]))
    count = draw(st.integers(1, 100 if resolution == "PT15M" else 25))
    gsrn = draw(gsrns)
    observations = [{"position": i, "quantity": draw(kwh),
                     "quality": draw(st.sampled_from(["measured", "estimated",
                                                      "final_estimated", "missing"]))}
                    for i in range(1, count + 1)]
    return Envelope(message_id=draw(text(64)), case_id=gsrn, type="meteringvalues.collected",
                    source="metering", occurred_at=draw(instants),
                    payload={"gsrn": gsrn, "day": draw(st.dates()).isoformat(),
                             "resolution": resolution, "observations": observations})


@FAST
@given(collected())
def test_metering_values_round_trip(message: Envelope) -> None:
    (back,) = MeteringConnector.to_canonical(MeteringConnector.to_wire(message))
    assert (back.message_id, back.case_id, back.occurred_at) == \
        (message.message_id, message.case_id, message.occurred_at)
    assert normal(back) == normal(message)


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_are_invalid_or_a_message(data: bytes) -> None:
    with contextlib.suppress(InvalidMessage):
        MeteringConnector.to_canonical(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["eventType", "eventId", "workOrder", "values", "day",
                                       "meteringPoint", "gsrn", "pos", "qty", "status",
                                       "occurredAt", "orderType", "x"]), children, max_size=5),
    max_leaves=20)


@FAST
@given(json_values, st.sampled_from(sorted(wire.mapping().documents)))
def test_random_json_is_invalid_or_a_message(doc: Any, kind: str) -> None:
    if isinstance(doc, dict) and kind not in ("request", "resource"):
        doc.setdefault("eventType", kind)  # get past the dispatch, into the contract
    try:
        MeteringConnector.to_canonical(json.dumps(doc).encode())
        MeteringConnector.translate_event(json.dumps(doc).encode())
    except InvalidMessage:
        pass


@FAST
@given(messages(), PAYLOADS["workorder.created"])
def test_the_work_order_resource_round_trips_as_deliver_reads_it(
        request: Envelope, payload: dict[str, Any]) -> None:
    # the coordinator's answer to POST: a resource document naming the request it answers
    payload = _clean(payload)
    created = request.derive("workorder.created", "metering", payload, payload["workorder_id"])
    created = created.model_copy(update={"occurred_at": datetime.fromisoformat(payload["at"])})
    doc = wire.mapper().write(wire.RESOURCE, parse_payload(created).model_dump(
        mode="json", exclude_none=True))
    doc |= {"requestId": request.message_id, "externalRef": created.case_id,
            "status": "CREATED"}
    (back,) = MeteringConnector.to_canonical(json.dumps(doc).encode())
    assert (back.message_id, back.causation_id, back.case_id, back.type) == \
        (created.message_id, request.message_id, created.case_id, "workorder.created")
    assert normal(back) == normal(created)
