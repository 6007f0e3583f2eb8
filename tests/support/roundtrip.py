"""Shared pieces of the connectors' property tests: the cases hypothesis draws, and the
canonical -> wire -> canonical trip that checks nothing but the uncarried fields is lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from schemas.envelope import Envelope
from schemas.payloads import parse_payload
from tests.factories import block_case, norwegian_case, swedish_case

FAST = settings(max_examples=60, deadline=None)
cases = st.one_of(st.builds(swedish_case, st.integers(0, 500)),
                  st.builds(norwegian_case, st.integers(0, 500)),
                  st.builds(block_case, st.integers(2, 5), st.integers(0, 50)))


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [1]}} -> {"a.b.0": 1}: leaf paths, to compare what a trip kept."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items()
                for k, v in flat(item, f"{prefix}{key}.").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value)
                for k, v in flat(item, f"{prefix}{i}.").items()}
    return {prefix[:-1]: value}


def round_trip(connector: Any, source: str, original: Envelope,
               not_carried: Mapping[str, set[str]]) -> Envelope:
    """``original`` through ``connector``'s wire format and back; every payload leaf the
    contract carries must come back equal (the ones in ``not_carried`` may be lost)."""
    [back] = connector.to_canonical(connector.to_wire(original))
    assert (back.case_id, back.type, back.source) == (original.case_id, original.type, source)
    expected = flat(parse_payload(original).model_dump(mode="json"))
    got = flat(back.payload)
    lost = {k for k in set(expected) | set(got) if expected.get(k) != got.get(k)}
    assert lost <= not_carried.get(original.type, set()), lost
    return back
