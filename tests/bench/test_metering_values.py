"""The metering-values benchmark, run tiny: it decodes what it built, and its figures are
counted from what went through (no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import metering_values
from connectors.elhub import ElhubConnector


def test_documents_carry_every_point_and_round_trip() -> None:
    (doc,) = metering_values.corpus(1, 3)
    messages = ElhubConnector.to_canonical(doc)
    assert [m.payload["gsrn"] for m in messages] == \
        [metering_values.canonical(s).payload["gsrn"] for s in range(3)]
    for seed, message in enumerate(messages):
        original = metering_values.canonical(seed)
        assert message.payload["observations"] == original.payload["observations"]
        (back,) = ElhubConnector.to_canonical(ElhubConnector.to_wire(message))
        assert back.payload == message.payload


def test_main_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert metering_values.main(["--documents", "1", "--points", "2", "--repeat", "1",
                                 "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["observations"] == 2 * 96
    assert result["metering_points"] == 2
    for key in ("decode_obs_per_s", "encode_obs_per_s", "round_trip_obs_per_s",
                "xmlschema_decode_obs_per_s"):
        assert result[key] > 0
    assert result["machine"]["cores"]
