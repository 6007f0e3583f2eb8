"""The cluster run, shortened: a private 3-node RabbitMQ cluster on loopback, four hub processes
with different roles on PostgreSQL, a node killed -9, one stopped cleanly and one frozen
(SIGSTOP) while inputs flow; every input must be delivered once, in order (issue 20)."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.chaos.tally import render
from bench.cluster.scenario import Config, render_faults, run


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_a_killed_a_stopped_and_a_frozen_node_lose_nothing(tmp_path: Path, pg_url: str) -> None:
    config = Config(messages=600, per_case=5, rate=5, heartbeat_s=2, down_s=3, freeze_s=8,
                    steady_s=3, error_rate=0.02, seed=3, timeout_s=360, stall_s=60,
                    store_url=pg_url, workdir=tmp_path)
    lines: list[str] = []
    outcome = run(config, say=lines.append)
    tally = outcome.tally
    report = "\n".join([*lines, render(tally, outcome.seconds), render_faults(outcome.faults)])
    assert tally.ok, report
    assert tally.delivered == tally.expected >= 100, report
    # Every fault came while inputs were still being fed (and more were fed after it).
    assert [f.kind for f in outcome.faults] == ["kill", "stop", "freeze"], report
    assert all(0 < f.sent < tally.expected for f in outcome.faults), report
    # The processes on the failed nodes moved to others, and none of them crashed.
    assert tally.counters["failovers logged"] >= 3, report
    assert tally.counters["process exit codes≠0"] == 0, report
    # Heartbeats went on while a process waited on a queue whose leader was frozen.
    assert tally.counters["missed client heartbeats"] == 0, report


def test_command_line_usage_errors_exit_2() -> None:
    bad = subprocess.run([sys.executable, "-m", "bench.cluster", "--store", "sqlite:///x.db"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "PostgreSQL" in bad.stderr
    helped = subprocess.run([sys.executable, "-m", "bench.cluster", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "--freeze" in helped.stdout
