"""CPU accounting from /proc: who used the cores during a phase (psutil is not needed).

On a small machine the broker, the contender, the load publisher and the output consumer
share the cores, and other work on the machine shows up as ``other``: the results record
both, so a figure can be read with its context.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid``, all its threads."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_cpu() -> tuple[float, float, float]:
    """(busy, steal, total) CPU seconds of the whole machine since boot. Steal is time the
    hypervisor gave to other virtual machines: not ours, and not idle either."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    values += [0] * (8 - len(values))
    idle = values[3] + values[4]  # idle + iowait
    steal = values[7]
    total = sum(values[:8])  # guest time is already inside user
    return (total - idle - steal) / _TICK, steal / _TICK, total / _TICK


def pids_named(name: str) -> list[int]:
    """Processes whose command name is ``name`` (e.g. beam.smp, the RabbitMQ node)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB (VmRSS of /proc/<pid>/status); NaN if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class CpuMeter:
    """Cores used per group of processes between :meth:`start` and :meth:`stop`."""

    def __init__(self, groups: Callable[[], Mapping[str, Sequence[int]]]) -> None:
        self._groups = groups
        self._start: dict[str, float] = {}
        self._machine = (0.0, 0.0, 0.0)
        self._wall = 0.0

    def _sample(self) -> dict[str, float]:
        return {name: sum(process_cpu(p) for p in pids)
                for name, pids in self._groups().items()}

    def start(self) -> None:
        self._start = self._sample()
        self._machine = machine_cpu()
        self._wall = time.monotonic()

    def stop(self) -> dict[str, float]:
        """Cores used (1.0 = one core busy all the time) per group, then ``other`` (other
        processes here), ``steal`` (other virtual machines) and ``idle``."""
        wall = max(time.monotonic() - self._wall, 1e-9)
        end = self._sample()
        busy, steal, total = machine_cpu()
        used = {name: max(0.0, end.get(name, 0.0) - self._start.get(name, 0.0)) / wall
                for name in end}
        machine_busy = (busy - self._machine[0]) / wall
        stolen = (steal - self._machine[1]) / wall
        cores = (total - self._machine[2]) / wall
        used["other"] = max(0.0, machine_busy - sum(used.values()))
        used["steal"] = stolen
        used["idle"] = max(0.0, cores - machine_busy - stolen)
        return {k: round(v, 3) for k, v in used.items()}


def wait_until_quiet(max_wait_s: float, idle_share: float = 0.85,
                     sample_s: float = 2.0) -> float:
    """Wait (at most ``max_wait_s``) until the machine is at least ``idle_share`` idle over
    a ``sample_s`` sample; returns the idle share last seen."""
    deadline = time.monotonic() + max_wait_s
    while True:
        busy0, steal0, total0 = machine_cpu()
        time.sleep(sample_s)
        busy1, steal1, total1 = machine_cpu()
        idle = 1 - (busy1 - busy0 + steal1 - steal0) / max(total1 - total0, 1e-9)
        if idle >= idle_share or time.monotonic() >= deadline:
            return round(idle, 3)


class CpuSampler:
    """Samples per-process and machine CPU a few times a second in a background thread, so
    the cores used can be read for any time window afterwards (e.g. first to last output,
    whatever was starting or booting before it)."""

    def __init__(self, groups: Callable[[], Mapping[str, Sequence[int]]],
                 every_s: float = 0.25) -> None:
        self._groups = groups
        self._every = every_s
        self._samples: list[tuple[float, dict[str, dict[int, float]], tuple[float, ...]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._every)

    def _sample(self) -> None:
        per = {name: {p: process_cpu(p) for p in pids} for name, pids in self._groups().items()}
        self._samples.append((time.time(), per, machine_cpu()))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def between(self, start: float, end: float) -> dict[str, float]:
        """Cores used per group (then ``other``, ``steal``, ``idle``) between two epoch
        times, from the last sample at or before ``start`` to the first at or after ``end``."""
        self._sample()
        samples = list(self._samples)
        first = max((s for s in samples if s[0] <= start), key=lambda s: s[0],
                    default=samples[0])
        last = min((s for s in samples if s[0] >= end), key=lambda s: s[0],
                   default=samples[-1])
        wall = max(last[0] - first[0], 1e-9)
        used = {}
        for name, pids in last[1].items():
            before = first[1].get(name, {})
            used[name] = sum(cpu - before.get(pid, 0.0) for pid, cpu in pids.items()) / wall
        busy, steal, total = (b - a for a, b in zip(first[2], last[2], strict=True))
        used["other"] = max(0.0, busy / wall - sum(used.values()))
        used["steal"] = steal / wall
        used["idle"] = max(0.0, (total - busy - steal) / wall)
        return {k: round(v, 3) for k, v in used.items()}
