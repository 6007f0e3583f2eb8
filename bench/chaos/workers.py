"""Hub workers as subprocesses (``python -m hub.cli run``: ``gridhub run``), killed -9 at will."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class Workers:
    """``count`` competing hub processes, each running every role, sharing one store."""

    def __init__(self, workdir: Path, env: dict[str, str], count: int = 1) -> None:
        self.workdir = workdir
        self.env = {**os.environ, **env}
        self.procs: list[subprocess.Popen[bytes]] = []
        self.kills = 0
        self._count = count

    def start(self) -> None:
        self.procs = [self._spawn(i) for i in range(self._count)]

    def _spawn(self, index: int) -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"worker-{index}.log", "ab")  # noqa: SIM115 - child owns it
        try:
            return subprocess.Popen([sys.executable, "-m", "hub.cli", "run"], env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        finally:
            log.close()

    def kill_and_restart(self, index: int) -> None:
        """SIGKILL one worker (no chance to ack, commit or return anything), then start it."""
        proc = self.procs[index]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        self.kills += 1
        self.procs[index] = self._spawn(index)

    def dead(self) -> list[int]:
        """Workers that exited on their own (a crash the run must report)."""
        return [i for i, p in enumerate(self.procs) if p.poll() is not None]

    def stop(self, timeout: float = 60.0) -> list[int]:
        """SIGTERM every worker and wait; their exit codes."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=timeout))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait(timeout=10))
        return codes

    def log_tail(self, chars: int = 2000) -> str:
        return "\n".join((self.workdir / f"worker-{i}.log").read_text(errors="replace")[-chars:]
                         for i in range(self._count))
