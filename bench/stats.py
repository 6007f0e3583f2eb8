"""Figures from the recorded arrivals: rates, latency percentiles, duplicates, order."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.sink import Records


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Tally:
    """What arrived at the outputs compared with what was expected."""

    expected: int
    received: int
    unique: int
    duplicates: int
    missing: int
    order_violations: int  # arrivals with a lower sequence than an earlier one of its case
    cases_out_of_order: int
    foreign: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def tally(records: Records, inputs: Sequence[tuple[int, int]], outputs_per_input: int) -> Tally:
    """Check ``records`` against the (case, seq) ``inputs``, per output queue."""
    wanted = set(inputs)
    seen: set[tuple[int, int, int]] = set()
    last: dict[tuple[int, int], int] = {}
    duplicates = violations = 0
    bad_cases: set[int] = set()
    for q, case, seq in zip(records.queue, records.case, records.seq, strict=True):
        key = (q, case, seq)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        previous = last.get((q, case))
        if previous is not None and seq < previous:
            violations += 1
            bad_cases.add(case)
        else:
            last[(q, case)] = seq
    unique = sum(1 for q, c, s in seen if (c, s) in wanted)
    expected = len(wanted) * outputs_per_input
    return Tally(expected=expected, received=len(records), unique=unique,
                 duplicates=duplicates, missing=expected - unique,
                 order_violations=violations, cases_out_of_order=len(bad_cases),
                 foreign=records.foreign)


@dataclass(frozen=True)
class Phase:
    """One measured phase of one contender."""

    name: str  # "drain", "full", "half", or a soak window
    inputs: int
    offered_rate: float | None  # inputs/s the paced publisher aimed at (None: pre-loaded)
    published_rate: float | None  # inputs/s it achieved
    inputs_per_s: float  # inputs fully routed per second, first to last output
    p50_ms: float
    p99_ms: float
    max_ms: float
    tally: Tally
    cpu: dict[str, float] = field(default_factory=dict)  # cores used per process group

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tally"] = self.tally.as_dict()
        return out


def phase(name: str, records: Records, inputs: Sequence[tuple[int, int]], outputs: int,
          *, offered: float | None = None, published: float | None = None,
          cpu: dict[str, float] | None = None) -> Phase:
    received = records.received
    span = (max(received) - min(received)) if len(received) > 1 else math.nan
    rate = (len(received) / outputs) / span if span and span > 0 else math.nan
    latency = records.latency
    return Phase(
        name=name, inputs=len(inputs), offered_rate=offered, published_rate=published,
        inputs_per_s=rate,
        p50_ms=percentile(latency, 50) * 1000, p99_ms=percentile(latency, 99) * 1000,
        max_ms=(max(latency) * 1000) if latency else math.nan,
        tally=tally(records, inputs, outputs), cpu=cpu or {})


def windows(records: Records, start: float, width_s: float) -> list[dict[str, float]]:
    """Latency per time window of arrival: window start (s from ``start``), count, p50, p99."""
    buckets: dict[int, list[float]] = {}
    for at, lat in zip(records.received, records.latency, strict=True):
        buckets.setdefault(int((at - start) // width_s), []).append(lat)
    return [{"t_s": k * width_s, "outputs": len(v), "p50_ms": percentile(v, 50) * 1000,
             "p99_ms": percentile(v, 99) * 1000} for k, v in sorted(buckets.items())]
