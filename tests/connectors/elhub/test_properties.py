"""Property-based: every elhub mapping round-trips canonical -> EMIF -> canonical for anything
the contract carries, and no bytes make a parser fail other than with InvalidMessage."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.elhub import ElhubConnector, emif, values
from hub.errors import InvalidMessage
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gln, make_gsrn
from schemas.payloads import parse_payload
from tests.connectors.elhub.test_hostile import GOOD

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUALITIES = ["measured", "estimated", "final_estimated", "missing"]
REASONS = sorted(emif.document("Acknowledgement").extra["reasons"])

gsrns = st.integers(0, 10**6).map(lambda n: make_gsrn(n, "707057").reveal())
glns = st.integers(0, 10**6).map(lambda n: make_gln(n, "708").reveal())
# EMIF times carry milliseconds: generate what the wire can say
instants = st.datetimes(datetime(2000, 1, 1), datetime(2099, 1, 1), timezones=st.just(UTC)) \
    .map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))
days = st.dates(date(2001, 1, 1), date(2098, 12, 1))
quantities = st.decimals(Decimal(0), Decimal("999999.999"), places=3)
# what a person writes in an address: Norwegian letters, XML's special characters, spaces
words = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzæøåÆØÅ0123456789 &<>'\"-./"),
                min_size=1).map(str.strip).filter(bool)


def text(limit: int) -> st.SearchStrategy[str]:
    return words.map(lambda s: s[:limit].strip()).filter(bool)


def normal(message: Envelope) -> dict[str, Any]:
    return parse_payload(message).model_dump(exclude_none=True)


@st.composite
def collected(draw: st.DrawFn) -> Envelope:
    day, resolution = draw(days), draw(st.sampled_from(["PT15M", "PT1H"]))
    start, end = values.day_bounds(day, values.codes().zone)
    count = int((end - start) / (timedelta(minutes=15) if resolution == "PT15M"
                                 else timedelta(hours=1)))
    quantity = draw(quantities)
    observations = [{"position": i, "quantity": str(draw(quantities) if i % 10 == 0
                                                   else quantity + i),
                     "quality": draw(st.sampled_from(QUALITIES))} for i in range(1, count + 1)]
    gsrn = draw(gsrns)
    return Envelope(message_id=str(draw(st.uuids())), case_id=gsrn,
                    type="meteringvalues.collected", source="metering",
                    occurred_at=draw(instants),
                    payload={"gsrn": gsrn, "day": day.isoformat(), "resolution": resolution,
                             "observations": observations})


@FAST
@given(collected())
def test_values_round_trip(message: Envelope) -> None:
    (back,) = ElhubConnector.to_canonical(ElhubConnector.to_wire(message))
    assert (back.message_id, back.type, back.case_id, back.occurred_at) == \
        (message.message_id, message.type, message.payload["gsrn"], message.occurred_at)
    assert normal(back) == normal(message)


@st.composite
def updated(draw: st.DrawFn) -> Envelope:
    event = draw(st.sampled_from(["new", "activate", "meter_change", "deactivate"]))
    payload: dict[str, Any] = {"gsrn": draw(gsrns), "event": event,
                               "effective_at": draw(instants).isoformat(),
                               "grid_owner_gln": draw(glns),
                               "metering_point_type": draw(st.sampled_from(
                                   ["consumption", "production"]))}
    if event == "new":
        payload["grid_area"] = draw(st.from_regex(r"10YNO-[1-5]--------[0-9A-Z]", fullmatch=True))
        payload["address"] = {"street": draw(text(150)), "town": draw(text(50)),
                              "postcode": draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
                              "country": "NO"}
        payload["settlement_method"] = draw(st.sampled_from(["E01", "E02", "Z01"]))
        payload["channel"] = {"product": "8716867000030", "unit": "kWh",
                              "direction": draw(st.sampled_from(["In", "Out"])),
                              "resolution": draw(st.sampled_from(["PT15M", "PT1H", "PT60M"]))}
    if event in ("new", "meter_change"):
        payload["meter_number"] = draw(text(18))
    return Envelope(message_id=str(draw(st.uuids())), case_id=draw(text(40)),
                    type="meteringpoint.updated", source="gridhub",
                    occurred_at=draw(instants), payload=payload)


@FAST
@given(updated())
def test_master_data_round_trip(message: Envelope) -> None:
    (back,) = ElhubConnector.to_canonical(ElhubConnector.to_wire(message))
    assert (back.message_id, back.type, back.occurred_at) == \
        (message.message_id, message.type, message.occurred_at)
    assert normal(back) == normal(message)


@FAST
@given(st.uuids(), st.uuids(), instants, st.lists(st.sampled_from(REASONS), max_size=4))
def test_acknowledgement_round_trip(own: uuid.UUID, original: uuid.UUID, at: datetime,
                                    reasons: list[str]) -> None:
    status = "41" if reasons else "39"
    message = Envelope(message_id=str(own), case_id=str(original),
                       type="meteringpoint.acknowledged", source="gridhub", occurred_at=at,
                       payload={"status": status, "original_message_id": str(original),
                                "reasons": [{"code": c} for c in reasons]})
    (back,) = ElhubConnector.to_canonical(ElhubConnector.to_wire(message))
    assert (back.message_id, back.occurred_at) == (message.message_id, at)
    assert back.payload["status"] == status
    assert back.payload["original_message_id"] == str(original)
    assert [r["code"] for r in back.payload.get("reasons", [])] == reasons


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_are_invalid_or_nothing(data: bytes) -> None:
    with contextlib.suppress(InvalidMessage):
        ElhubConnector.to_canonical(data)


@FAST
@given(st.data())
def test_a_damaged_document_is_invalid_or_still_right(data: st.DataObject) -> None:
    raw = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(raw) // 2, len(raw)))
    try:
        messages = ElhubConnector.to_canonical(bytes(raw[:cut]))
    except InvalidMessage:
        return
    for message in messages:  # what survives is still a valid canonical message
        parse_payload(message)
