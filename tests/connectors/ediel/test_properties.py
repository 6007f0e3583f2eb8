"""Canonical -> interchange -> canonical keeps every value, quality and date (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from connectors.ediel import EdielConnector, syntax
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gsrn
from schemas.payloads import parse_payload
from tests.support.roundtrip import FAST

qualities = st.sampled_from(["measured", "estimated", "missing"])
quantities = st.decimals(min_value=0, max_value=Decimal("99999.999"), places=3)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def series(draw):
    resolution = draw(st.sampled_from(["PT15M", "PT1H"]))
    count = 96 if resolution == "PT15M" else 24
    observations = []
    for position in range(1, count + 1):
        quality = draw(qualities)
        quantity = Decimal(0) if quality == "missing" else draw(quantities)
        observations.append({"position": position, "quantity": str(quantity),
                             "quality": quality})
    return {"gsrn": make_gsrn(draw(st.integers(0, 10**6))).reveal(),
            "day": draw(days).isoformat(), "resolution": resolution,
            "observations": observations, "supplier": "12345"}


def _trip(type_, payload):
    original = Envelope(case_id="c-1", type=type_, source="metering", payload=payload)
    raw = EdielConnector.to_wire(original)
    syntax.read(raw)  # counts and references hold
    [back] = EdielConnector.to_canonical(raw)
    assert back.type == type_
    return parse_payload(original), parse_payload(back)


@FAST
@given(series())
def test_series_round_trip(payload):
    supplier = payload.pop("supplier")
    del supplier
    sent, back = _trip("meteringvalues.collected", payload)
    assert back == sent


@FAST
@given(st.integers(0, 10**6), days, quantities, quantities, quantities,
       st.sampled_from(["measured", "estimated"]))
def test_monthly_round_trip(seed, day, start, end, used, quality):
    payload = {"gsrn": make_gsrn(seed).reveal(), "month": day.replace(day=1).isoformat(),
               "meter_number": "M-1", "start_reading": str(start), "end_reading": str(end),
               "consumption_kwh": str(used), "quality": quality, "supplier": "12345"}
    sent, back = _trip("meteringvalues.monthly", payload)
    assert back.model_dump(exclude={"supplier"}) == sent.model_dump(exclude={"supplier"})


@FAST
@given(st.integers(0, 10**6), days,
       st.sampled_from(["switch", "move_in", "cancellation", "production"]),
       st.sampled_from([15, 60]), st.none() | st.integers(0, 10**6),
       st.sampled_from([None, "production"]))
def test_supply_confirmation_round_trip(seed, day, reason, minutes, annual, kind):
    payload = {"metering_point": make_gsrn(seed).reveal(), "reason": reason,
               "effective_on": day.isoformat(), "supplier": "12345", "grid_area": "XYZ",
               "case_reference": "SUP-CASE-1", "resolution_minutes": minutes,
               "estimated_annual_kwh": annual, "meter_number": "M 7",
               "metering_point_type": kind}
    sent, back = _trip("supply.start.confirmed", payload)
    assert back == sent
