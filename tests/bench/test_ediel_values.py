"""The Ediel values benchmark, run tiny: it counts what went through both ways (no timing is
asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import ediel_values
from connectors.ediel import EdielConnector


def test_interchanges_carry_every_value_back():
    message = ediel_values.canonical(3)
    [back] = EdielConnector.to_canonical(EdielConnector.to_wire(message))
    sent, got = message.payload["observations"], back.payload["observations"]
    assert [o["quality"] for o in got] == [o["quality"] for o in sent]
    # a missing value goes as NULL (not zero, not a number): its quantity is not carried
    assert [o["quantity"] for o in got if o["quality"] != "missing"] == \
        [o["quantity"] for o in sent if o["quality"] != "missing"]
    assert any(o["quality"] == "missing" for o in sent)
    assert back.payload["day"] == "2026-03-29"  # the DST day: 96 values in normal time


def test_main_writes_the_figures(tmp_path: Path):
    out = tmp_path / "result.json"
    assert ediel_values.main(["--points", "2", "--repeat", "1", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["values"] == 2 * 96
    for key in ("encode_values_per_s", "decode_values_per_s", "round_trip_values_per_s"):
        assert result[key] > 0
    assert result["machine"]["pydifact"]
