"""The throughput chart of the results page (PNG, matplotlib's Agg backend, no display)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def routing_chart(results: Mapping[str, Mapping[str, Any]], path: Path, title: str) -> Path:
    """Bars: inputs/s routed at full load per contender; beside them p50/p99 at half load."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    rates = [results[n]["drain"]["inputs_per_s"] for n in names]
    p50 = [results[n]["half"]["p50_ms"] for n in names]
    p99 = [results[n]["half"]["p99_ms"] for n in names]
    colours = ["#1f6f8b" if n == "gridhub" else "#9aa5b1" for n in names]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    bars = left.bar(names, rates, color=colours)
    left.bar_label(bars, labels=[f"{r:,.0f}" for r in rates], padding=3)
    left.set_ylabel("inputs routed per second (2 outputs each)")
    left.set_title("Throughput at full load")
    left.set_ylim(0, max(rates) * 1.18)
    x = range(len(names))
    right.bar([i - 0.2 for i in x], p50, width=0.4, label="p50", color="#7fb3c8")
    right.bar([i + 0.2 for i in x], p99, width=0.4, label="p99", color="#1f6f8b")
    right.set_xticks(list(x), names)
    right.set_ylabel("end-to-end latency (ms)")
    right.set_title("Latency at half load")
    right.legend()
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def soak_chart(windows: list[dict[str, float]], rss: list[tuple[float, float]], path: Path,
               title: str) -> Path:
    """Latency p50/p99 per window (left) and worker RSS over time (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=110)
    t = [w["t_s"] for w in windows]
    left.plot(t, [w["p50_ms"] for w in windows], label="p50", color="#7fb3c8")
    left.plot(t, [w["p99_ms"] for w in windows], label="p99", color="#1f6f8b")
    left.set_xlabel("seconds")
    left.set_ylabel("end-to-end latency (ms)")
    left.set_title("Latency per window")
    left.legend()
    right.plot([r[0] for r in rss], [r[1] for r in rss], color="#1f6f8b", marker=".")
    right.set_xlabel("seconds")
    right.set_ylabel("worker RSS (MiB)")
    right.set_ylim(bottom=0)
    right.set_title("Hub worker memory")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
