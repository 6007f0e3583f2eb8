"""Metered values -> UTILTS E66 interchanges (the Swedish market), on one core.

Builds canonical ``meteringvalues.collected`` messages (a day of 96 quarter-hour values per
Swedish metering point, mostly measured, some estimated and missing), then times, in this one
process (one core):

- encode:     each canonical message -> its UTILTS interchange bytes, as the ediel connector
              sends them (payload model, segments, UNT/UNZ counts, release characters, UNOC);
- decode:     those interchanges -> canonical again (tokenizer, counts and references checked,
              payload model), for the round-trip figure.

    python -m bench.ediel_values                        # 2,000 metering points
    python -m bench.ediel_values --points 50 --json out.json

The page is docs/benchmarks.md (Ediel: metered values to UTILTS).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.metering_values import machine, observations
from connectors.ediel import EdielConnector
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gsrn
from schemas.message_types import MessageType

DAY = date(2026, 3, 29)  # the spring DST change in Sweden: still 96 values in normal time


def canonical(seed: int, day: date = DAY) -> Envelope:
    """``meteringvalues.collected`` for one Swedish metering point and day."""
    gsrn = make_gsrn(seed, "735999").reveal()
    return Envelope(message_id=f"se-{seed}-{day.isoformat()}", case_id=gsrn,
                    type=MessageType.METERINGVALUES_COLLECTED, source="metering",
                    occurred_at=datetime(2026, 3, 30, 5, 0, tzinfo=UTC),
                    payload={"gsrn": gsrn, "day": day.isoformat(), "resolution": "PT15M",
                             "observations": observations(seed)})


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = run()
        best = min(best, time.perf_counter() - started)
    return best, count


def measure(points: int, repeat: int = 3) -> dict[str, Any]:
    messages = [canonical(s) for s in range(points)]
    wire: list[bytes] = []

    def encode() -> int:
        wire.clear()
        wire.extend(EdielConnector.to_wire(m) for m in messages)
        return sum(len(m.payload["observations"]) for m in messages)

    def decode() -> int:
        return sum(len(m.payload["observations"]) for raw in wire
                   for m in EdielConnector.to_canonical(raw))

    encode_s, values = _best(encode, repeat)
    decode_s, decoded = _best(decode, repeat)
    assert decoded == values, "every value came back"
    return {"metering_points": points, "values": values,
            "mean_interchange_bytes": sum(map(len, wire)) // len(wire),
            "encode_values_per_s": round(values / encode_s),
            "decode_values_per_s": round(values / decode_s),
            "round_trip_values_per_s": round(values / (encode_s + decode_s))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=2000, help="metering points (x 96)")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest counts")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    info = machine()
    info["pydifact"] = version("pydifact")
    result = {"benchmark": "ediel_values", "machine": info,
              **measure(args.points, args.repeat)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
