"""A private RabbitMQ cluster on loopback: three nodes of ``bench.chaos.rabbit.PrivateRabbit``
sharing one Erlang cookie, joined with ``rabbitmqctl join_cluster``. The shared broker on 5672
is never touched.

Faults, each on one node: ``kill`` (SIGKILL to the node's whole process group: no goodbye to
clients or peers), ``stop`` (``rabbitmqctl stop``: a clean shutdown), ``freeze``/``thaw``
(SIGSTOP/SIGCONT: the node keeps its sockets open and answers nothing, as a hung VM does).
``start`` brings a killed or stopped node back on its data; it rejoins the cluster by itself.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

from bench.chaos.rabbit import PrivateRabbit

JOIN_TIMEOUT_S = 120.0


class ClusterNode(PrivateRabbit):
    """A private node with a given Erlang cookie (its HOME is its own directory).

    Its ``rabbitmq.conf`` sets what a cluster needs to get over a hung node: ``net_ticktime``
    (how long the other nodes wait for a silent node before they call it down: until then a
    consumer on it keeps its single-active-consumer queues, so the 60 s default can stall a
    hub partition for up to 75 s) and ``autoheal`` (a node that comes back after the
    others gave up on it rejoins instead of staying partitioned).
    """

    def __init__(self, base: Path, cookie: str, net_ticktime: int = 10) -> None:
        super().__init__(base)
        # Below the ephemeral range: a node restarted on its ports must find them free, and
        # an outgoing connection may have been given a port picked by bind(0) meanwhile.
        self.port, self.dist_port = _fixed_port(), _fixed_port()
        self.node = f"chaos{self.port}@localhost"
        self.base.mkdir(parents=True, exist_ok=True)
        path = self.base / ".erlang.cookie"
        path.write_text(cookie)
        path.chmod(0o400)
        (self.base / "rabbitmq.conf").write_text(
            f"net_ticktime = {net_ticktime}\ncluster_partition_handling = autoheal\n")
        self.frozen = False

    def _env(self) -> dict[str, str]:
        # A node that fails to start writes its crash dump here, not in the caller's directory.
        return {**super()._env(), "ERL_CRASH_DUMP": str(self.base / "erl_crash.dump")}

    def ctl(self, *args: str) -> int:
        return self._ctl(*args)

    def signal_all(self, sig: signal.Signals) -> None:
        """``sig`` to the node's process group (the start script, beam.smp and its helpers)."""
        if self._process is None:
            raise RuntimeError(f"{self.node} is not running")
        os.killpg(self._process.pid, sig)

    def kill(self) -> None:
        self.signal_all(signal.SIGKILL)
        assert self._process is not None
        self._process.wait(timeout=30)
        self._process = None

    def freeze(self) -> None:
        self.signal_all(signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        self.signal_all(signal.SIGCONT)
        self.frozen = False

    @property
    def running(self) -> bool:
        return self._process is not None


def _fixed_port() -> int:
    """A free TCP port on loopback below the kernel's ephemeral range (32768 and up)."""
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000 on 127.0.0.1")


class PrivateCluster:
    """``with PrivateCluster(3) as cluster:``; ``cluster.urls`` lists the nodes' AMQP URLs."""

    def __init__(self, size: int = 3, base: Path | None = None, net_ticktime: int = 10) -> None:
        self._owned = base is None
        self.base = base or Path(tempfile.mkdtemp(prefix="gridhub-cluster-"))
        cookie = secrets.token_hex(16).upper()
        self.nodes = [ClusterNode(self.base / f"node{i + 1}", cookie, net_ticktime)
                      for i in range(size)]

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    def start(self) -> None:
        first = self.nodes[0]
        first.start()
        for node in self.nodes[1:]:
            node.start()
            for step in (("stop_app",), ("join_cluster", first.node), ("start_app",)):
                code = node.ctl(*step)
                if code != 0:
                    raise RuntimeError(f"{node.node}: rabbitmqctl {' '.join(step)} exited "
                                       f"{code}: {node._tail()}")
        self.await_members(len(self.nodes))

    def await_members(self, count: int, timeout: float = JOIN_TIMEOUT_S) -> None:
        """Wait until ``count`` nodes run in the cluster (asked of a running node)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            asker = next((n for n in self.nodes if n.running and not n.frozen), None)
            if asker is not None and asker.ctl("await_online_nodes", str(count),
                                               "--timeout", "5") == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the cluster did not reach {count} running nodes in {timeout:g}s")

    def stop(self) -> None:
        for node in self.nodes:
            if node.frozen:
                node.thaw()
        for node in reversed(self.nodes):
            if node.running:
                node.stop()

    def __enter__(self) -> PrivateCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._owned:
            shutil.rmtree(self.base, ignore_errors=True)
