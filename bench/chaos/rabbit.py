"""A private RabbitMQ node for one chaos run, so restarting it never touches the shared broker.

The node gets its own name, AMQP and distribution ports, data, logs, plugins file and Erlang
cookie (HOME) under a temporary directory. It is started with the package's own
``/usr/lib/rabbitmq/bin/rabbitmq-server`` (not the ``/usr/sbin`` wrapper, which would switch to
the system ``rabbitmq`` user and its shared cookie) and stopped with ``rabbitmqctl -n NODE stop``.
Its data survives a restart: quorum queues and their messages come back, as in production.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


class PrivateRabbit:
    """``with PrivateRabbit() as rabbit:`` starts a node; ``rabbit.url`` is its AMQP URL."""

    def __init__(self, base: Path | None = None) -> None:
        self._owned = base is None
        self.base = Path(tempfile.mkdtemp(prefix="gridhub-chaos-rabbit-")) if base is None else base
        self.port = _free_port()
        self.dist_port = _free_port()
        self.node = f"chaos{self.port}@localhost"
        self._process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def _env(self) -> dict[str, str]:
        b = self.base
        return {**os.environ, "HOME": str(b), "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(b / "mnesia"), "RABBITMQ_LOG_BASE": str(b / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(b / "enabled_plugins"),
                "RABBITMQ_PLUGINS_EXPAND_DIR": str(b / "plugins-expand"),
                "RABBITMQ_PID_FILE": str(b / "rabbit.pid"),
                # No config files: the node must not pick up the shared broker's /etc/rabbitmq.
                "RABBITMQ_CONFIG_FILE": str(b / "rabbitmq"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(b / "advanced.config"),
                "RABBITMQ_CONF_ENV_FILE": str(b / "rabbitmq-env.conf")}

    def start(self) -> None:
        server = RABBIT_BIN / "rabbitmq-server"
        if not server.exists():
            raise RuntimeError(f"{server} not found: install rabbitmq-server (scripts/services.sh)")
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        out = open(self.base / "server.out", "ab")  # noqa: SIM115 - kept for the node's life
        self._process = subprocess.Popen([str(server)], env=self._env(), stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"private RabbitMQ {self.node} exited with "
                                   f"{self._process.returncode}: {self._tail()}")
            if _port_open(self.port) and self._ctl("await_startup", "--timeout", "5") == 0:
                return
            time.sleep(0.3)
        raise RuntimeError(f"private RabbitMQ {self.node} did not open 127.0.0.1:{self.port} "
                           f"within {START_TIMEOUT_S:g}s: {self._tail()}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._ctl("stop")
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # the node did not halt: end the process we started
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()
        self.restarts += 1

    def _ctl(self, *args: str) -> int:
        done = subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, "-q", *args],
                              env=self._env(), capture_output=True, timeout=60, check=False)
        return done.returncode

    def _tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.base / "server.out").read_text(errors="replace")[-1500:]
        return "(no output)"

    def __enter__(self) -> PrivateRabbit:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._owned:
            shutil.rmtree(self.base, ignore_errors=True)
