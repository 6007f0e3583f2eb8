"""Realistic case messages and helpers to consume and to run broker code in another process."""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from kombu import Connection, Consumer, Exchange, Queue
from kombu.message import Message

REPO = Path(__file__).resolve().parents[3]
INBOUND = Exchange("gridhub.in", type="direct", durable=True)


def hub_queue(name: str = "gridhub.hub.in", routing_key: str = "hub") -> Queue:
    return Queue(name, INBOUND, routing_key=routing_key, durable=True)


def _gs1(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def gsrn(serial: int) -> str:
    """An 18-digit GSRN under the Swedish 735999 prefix with a valid GS1 mod-10 check digit."""
    return _gs1(f"735999{serial:011d}")


def gln(serial: int) -> str:
    """A 13-digit Swedish GLN (prefix 735) with a valid GS1 mod-10 check digit."""
    return _gs1(f"735{serial:09d}")


def case_body(n: int) -> dict[str, Any]:
    """A canonical ``case.submitted`` envelope as the hub publishes it (numbered by ``n``)."""
    return {
        "message_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"gridhub:test:{n}")),
        "case_id": f"ES-2026-{n:06d}",
        "causation_id": None,
        "type": "case.submitted",
        "source": "elsmart",
        "occurred_at": "2026-11-22T08:00:00+01:00",
        "schema_version": 1,
        "payload": {
            "n": n,
            "gsrn": gsrn(100000 + n),
            "installer_gln": gln(1234567),
            "address": {"street": "Storgatan 12", "postal_code": "852 30", "city": "Sundsvall"},
            "fuse_a": 25,
        },
    }


def receive(conn: Connection, queue: Queue, count: int, *, ack: bool = True,
            prefetch: int = 0, timeout: float = 10.0) -> list[Message]:
    """Consume ``count`` messages from ``queue`` on a new channel; fail fast if they don't come."""
    channel = conn.channel()
    if prefetch:
        channel.basic_qos(prefetch_size=0, prefetch_count=prefetch, a_global=False)
    got: list[Message] = []
    deadline = time.monotonic() + timeout
    with Consumer(channel, queues=[queue], on_message=got.append, auto_declare=False):
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"got {len(got)} of {count} messages from {queue.name}")
            try:
                conn.drain_events(timeout=left)
            except TimeoutError:
                continue
            if ack:
                for message in got:
                    if not message.acknowledged:
                        message.ack()
    return got


def numbers(messages: list[Message]) -> list[int]:
    return [m.payload["payload"]["n"] for m in messages]


def rows_in_file(path: Path) -> int:
    """Message rows left in the broker file (ready or in flight), read beside the owner."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM kombu_message").fetchone()[0])
    finally:
        conn.close()


def start_python(script: str, *args: str) -> subprocess.Popen[str]:
    """Run ``script`` in a fresh interpreter with the repo importable (tests included)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_python(script: str, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    proc = start_python(script, *args)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for_line(proc: subprocess.Popen[str], expected: str, timeout: float) -> None:
    """Block until the child prints ``expected`` on a line of its own; fail fast otherwise."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while expected.encode() + b"\n" not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            proc.kill()
            _, err = proc.communicate(timeout=5)
            raise AssertionError(f"child never printed {expected!r}; stdout {seen!r}; "
                                 f"stderr {err[-2000:]}")
        seen += chunk
