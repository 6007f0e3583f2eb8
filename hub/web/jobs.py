"""Replays and discards started from the web run in the background, one thread each, so a
rate-limited replay of a large group never holds an HTTP request; their pages show progress
and offer pause, resume and stop (``hub.ops.replay.Control``)."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hub.ops.plan import PlanItem
from hub.ops.replay import Control, Outcome

KEEP = 200  # finished jobs remembered for their pages


@dataclass
class Job:
    """One operation: what, by whom, how far."""

    id: int
    operation: str  # "replay" | "discard"
    selection: str  # Selection.describe()
    actor: str
    reason: str
    total: int
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    control: Control = field(default_factory=Control)
    counts: Counter[str] = field(default_factory=Counter)  # action -> items handled
    outcome: Outcome | None = None
    error: str | None = None
    finished_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def handled(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def state(self) -> str:
        if self.running:
            return "paused" if self.control.paused else "running"
        if self.error:
            return "failed"
        return "stopped" if self.outcome is not None and self.outcome.stopped else "done"

    def progress(self, item: PlanItem) -> None:
        with self.lock:
            self.counts[item.action] += 1


class Jobs:
    """The jobs of this process, by id."""

    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, operation: str, selection: str, actor: str, reason: str, total: int,
              work: Callable[[Job], Outcome]) -> Job:
        """Run ``work(job)`` in a thread; it reports through ``job.progress``."""
        job = Job(next(self._ids), operation, selection, actor, reason, total)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()

        def run() -> None:
            try:
                job.outcome = work(job)
                job.error = job.outcome.error
            except Exception as exc:  # the broker or the store: shown on the job's page
                job.error = f"{type(exc).__name__}: {exc}"
            finally:
                job.finished_at = datetime.now(UTC)

        threading.Thread(target=run, name=f"web-{operation}-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.id, reverse=True)

    def stop_all(self) -> None:
        for job in self.all():
            job.control.stop()

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if not j.running]
        for job in sorted(done, key=lambda j: j.id)[:max(len(done) - KEEP, 0)]:
            del self._jobs[job.id]
