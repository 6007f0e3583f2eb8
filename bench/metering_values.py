"""Metering values: 15-minute CollectedData documents -> canonical -> wire, on one core.

Builds realistic EMIF CollectedData documents (many metering points per document, one day of
96 quarter-hour observations each, mostly measured with some estimated and missing values),
then times, in this one process (one core):

- decode:      document bytes -> canonical ``meteringvalues.collected`` (one per point and day;
               safe parse, XSD validation, header mapping, observation loop, payload model);
- encode:      each canonical message -> its CollectedData bytes (as flow 5 sends them: one
               document per metering point and day, XSD-validated);
- round trip:  both, per observation;
- xmlschema:   decoding the same documents with ``xmlschema`` (``XMLSchema.to_dict``, which
               validates while it decodes) -- the peer a Python team would reach for.

    python -m bench.metering_values                         # 20 documents x 200 points
    python -m bench.metering_values --documents 2 --points 5 --json out.json

Results are printed as JSON (observations/s for each); the page is docs/benchmarks.md
(Metering values).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from connectors.elhub import ElhubConnector, emif
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gsrn
from schemas.message_types import MessageType

NO_GSRN_PREFIX = "707057500"
DAY = date(2024, 3, 13)  # an ordinary day: 96 quarter hours (not a DST change)
_SERIES_OPEN = "<cd:PayloadEnergyTimeSeries"
_SERIES_CLOSE = "</cd:PayloadEnergyTimeSeries>"


def observations(seed: int, count: int = 96) -> list[dict[str, Any]]:
    """One day of quarter-hour values: a load curve with a few estimated and missing ones."""
    out = []
    for position in range(1, count + 1):
        quality = "measured"
        if (position * 31 + seed) % 97 == 0:
            quality = "missing"
        elif (position * 17 + seed) % 41 == 0:
            quality = "estimated"
        kwh = 0.05 + ((position * 37 + seed * 11) % 400) / 1000
        out.append({"position": position, "quantity": f"{kwh:.3f}", "quality": quality})
    return out


def canonical(seed: int, day: date = DAY) -> Envelope:
    """``meteringvalues.collected`` for one Norwegian metering point and day."""
    gsrn = make_gsrn(seed, NO_GSRN_PREFIX).reveal()
    return Envelope(message_id=f"mv-{seed}-{day.isoformat()}", case_id=gsrn,
                    type=MessageType.METERINGVALUES_COLLECTED, source="metering",
                    occurred_at=datetime(2024, 3, 14, 2, 0, tzinfo=UTC) + timedelta(seconds=seed),
                    payload={"gsrn": gsrn, "day": day.isoformat(), "resolution": "PT15M",
                             "observations": observations(seed)})


def collected_document(seeds: range, day: date = DAY) -> bytes:
    """One CollectedData with a series per metering point (what a metering system sends).

    Each series is written by gridhub's own writer (so it is valid EMIF), and the series are
    gathered under the first document's header.
    """
    texts = [ElhubConnector.to_wire(canonical(s, day)).decode("utf-8") for s in seeds]
    first = texts[0]
    head, tail = first[:first.index(_SERIES_OPEN)], first[first.rindex(_SERIES_CLOSE)
                                                          + len(_SERIES_CLOSE):]
    series = [t[t.index(_SERIES_OPEN):t.rindex(_SERIES_CLOSE) + len(_SERIES_CLOSE)]
              for t in texts]
    return (head + "".join(series) + tail).encode("utf-8")


def corpus(documents: int, points: int) -> list[bytes]:
    return [collected_document(range(d * points, (d + 1) * points)) for d in range(documents)]


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    """The fastest of ``repeat`` runs (seconds) and what one run counted."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = run()
        best = min(best, time.perf_counter() - started)
    return best, count


def measure(docs: list[bytes], repeat: int = 3, peer: bool = True) -> dict[str, Any]:
    """Observations per second for decode, encode, round trip and (if ``peer``) xmlschema."""
    decoded: list[Envelope] = []

    def decode() -> int:
        decoded.clear()
        for doc in docs:
            decoded.extend(ElhubConnector.to_canonical(doc))
        return sum(len(m.payload["observations"]) for m in decoded)

    def encode() -> int:
        for message in decoded:
            ElhubConnector.to_wire(message)
        return sum(len(m.payload["observations"]) for m in decoded)

    decode_s, obs = _best(decode, repeat)
    encode_s, _ = _best(encode, repeat)
    result: dict[str, Any] = {
        "documents": len(docs), "metering_points": len(decoded), "observations": obs,
        "mean_document_bytes": sum(map(len, docs)) // len(docs),
        "decode_obs_per_s": round(obs / decode_s),
        "encode_obs_per_s": round(obs / encode_s),
        "round_trip_obs_per_s": round(obs / (decode_s + encode_s)),
    }
    if peer:
        result.update(_xmlschema(docs, obs, repeat))
    return result


def _xmlschema(docs: list[bytes], obs: int, repeat: int) -> dict[str, Any]:
    import xmlschema

    schema = xmlschema.XMLSchema(str(emif.CONTRACT_DIR / "CollectedData.xsd"))
    texts = [d.decode("utf-8") for d in docs]

    def decode() -> int:
        for text in texts:
            schema.to_dict(text)
        return obs

    seconds, _ = _best(decode, repeat)
    return {"xmlschema_decode_obs_per_s": round(obs / seconds)}


def machine() -> dict[str, str]:
    """Cores, memory, CPU, OS and versions (no broker: this benchmark needs none)."""
    info = {"cores": str(os.cpu_count()), "python": platform.python_version(),
            "os": platform.platform(), "cpu": "?", "memory": "?"}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    for package in ("lxml", "xmlschema", "pydantic"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = "not installed"
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--points", type=int, default=200, help="metering points per document")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest counts")
    parser.add_argument("--no-peer", action="store_true", help="skip xmlschema")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    docs = corpus(args.documents, args.points)
    result = {"benchmark": "metering_values", "machine": machine(),
              **measure(docs, args.repeat, peer=not args.no_peer)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
