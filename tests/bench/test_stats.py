"""Proposed tests/bench/test_stats.py: the tally that decides lost, duplicate and out-of-order."""

from __future__ import annotations

import math

from bench.sink import Records
from bench.stats import percentile, tally


def _records(arrivals: list[tuple[int, int, int]]) -> Records:
    records = Records()
    for queue, case, seq in arrivals:
        records.queue.append(queue)
        records.case.append(case)
        records.seq.append(seq)
        records.received.append(0.0)
        records.latency.append(0.001)
    return records


def test_tally_counts_missing_duplicates_and_order_per_queue() -> None:
    inputs = [(1, 0), (1, 1), (2, 0)]
    arrivals = [(0, 1, 1), (0, 1, 0), (0, 2, 0), (0, 2, 0),  # queue 0: (1,1) before (1,0)
                (1, 1, 0), (1, 1, 1)]  # queue 1: in order, (2,0) missing
    result = tally(_records(arrivals), inputs, outputs_per_input=2)
    assert result.expected == 6
    assert result.unique == 5
    assert result.missing == 1
    assert result.duplicates == 1
    assert result.order_violations == 1
    assert result.cases_out_of_order == 1


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))
