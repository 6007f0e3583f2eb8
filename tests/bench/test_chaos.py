"""The chaos run, shortened: 1,500 messages through two hops on a private RabbitMQ node while a
worker is killed -9 twice, the broker restarts once, the back end is down for 3 s and both targets
answer 500 to 10% of calls. Every message must be delivered once or dead-lettered, in order."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.chaos.scenario import Config, chain, run
from bench.chaos.tally import DeadLetter, count, render
from bench.messages import input_id

REJECTED = 5


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_shortened_chaos_run_accounts_for_every_message(tmp_path: Path) -> None:
    config = Config(messages=1500, per_case=5, kills=2, broker_restarts=1, down_s=3.0,
                    error_rate=0.10, reject=REJECTED, workers=1, seed=7, timeout_s=200,
                    stall_s=60, workdir=tmp_path)
    lines: list[str] = []
    outcome = run(config, say=lines.append)
    tally = outcome.tally
    report = "\n".join([*lines, render(tally, outcome.seconds)])
    assert tally.ok, report
    assert (tally.expected, tally.delivered, tally.dead_lettered) == (1500, 1500 - REJECTED,
                                                                       REJECTED), report
    assert tally.dead_reasons == {"backend: TargetRejected: HTTP 422 Unprocessable Entity":
                                  REJECTED}, report
    # The faults really happened (a run without them proves nothing).
    counters = tally.counters
    assert counters["worker kills (-9)"] == 2 and counters["broker restarts"] == 1, report
    assert counters["500s answered"] > 100, report
    assert counters["worker exit codes≠0"] == 0, report


def _ids(n: int) -> dict[str, tuple[int, int]]:
    return {mid: (c, s) for c in range(n) for s in range(3) for mid in chain(input_id(c, s))}


def test_tally_finds_a_loss_a_duplicate_and_an_order_violation() -> None:
    ids = _ids(2)
    final = [{"message_id": chain(input_id(0, 1))[3]},
             {"message_id": chain(input_id(0, 0))[3]},  # seq 0 after seq 1: out of order
             {"message_id": chain(input_id(1, 0))[3]},
             {"message_id": chain(input_id(1, 0))[2]},  # the same input again, another id
             {"message_id": "not-ours"}]
    twice = DeadLetter(chain(input_id(1, 1))[1], input_id(1, 1), "backend", "HTTP 422")
    tally = count(ids, final, [twice, twice])
    assert not tally.ok
    assert sorted(tally.lost) == [(0, 2), (1, 2)]
    assert tally.dead_lettered == 1 and tally.delivered == 3
    assert len(tally.order_violations) == 1 and "case 0: seq 0" in tally.order_violations[0]
    assert len(tally.duplicates) == 2
    assert "input (1, 0): delivered as 2" in tally.duplicates[0]
    assert "input (1, 1): dead-lettered 2 times" in tally.duplicates[1]
    assert tally.stray == 1


def test_command_line_usage_errors_exit_2() -> None:
    bad = subprocess.run([sys.executable, "-m", "bench.chaos", "--error-rate", "1.5"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--error-rate" in bad.stderr
    unknown = subprocess.run([sys.executable, "-m", "bench.chaos", "--no-such-flag"],
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2
    helped = subprocess.run([sys.executable, "-m", "bench.chaos", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "--messages" in helped.stdout
