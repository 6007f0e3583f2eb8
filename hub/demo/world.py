"""Every back end gridhub talks to, as simulators in this process on free loopback ports, and
the routes and settings that point the shipped ``routes.yaml`` at them.

The simulators are found through their entry points (``hub.simulator.load``): the hub never
imports a connector. ``routes.yaml`` reads its URLs, ports and secrets from ``GRIDHUB_*``
variables; :meth:`World.environment` gives them, and :func:`routes_overlay` changes only what
the file does not take from the environment (the metering coordinator's exchange and queue
names, per namespace, so runs on a shared RabbitMQ never see each other's events).
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from hub.devcert import write_dev_certificate
from hub.simulator import load as load_simulator

SIM_PASSWORD = "simulator"
INBOUND_USER, INBOUND_PASSWORD = "elsmart", "demo-portal-secret"
METERING_POLL_S = 0.3
"""How often the metering connector reads the coordinator's HTTP event feed (no broker)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now, for a server that binds it a moment later. Drawn below the kernel's
    ephemeral range: a port from that range can meanwhile go to any socket bound to port 0 or
    any outgoing connection (a simulator, a broker client), and the later bind fails."""
    low = _ephemeral_low()
    draw = random.Random()
    for _ in range(100):
        port = draw.randrange(10_000, low) if low > 11_000 else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError(f"no free port on {host} below {low}")


def _ephemeral_low(default: int = 32_768) -> int:
    """The first port of the kernel's ephemeral range (Linux), else the usual start."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def shipped_routes() -> Path:
    """The routes.yaml next to the ``hub`` package (a source checkout), else ./routes.yaml."""
    beside = Path(__file__).resolve().parents[2] / "routes.yaml"
    return beside if beside.is_file() else Path("routes.yaml")


def load(name: str) -> Any:
    """A simulator class by entry-point name; each takes its own keyword arguments."""
    return load_simulator(name)


@dataclass
class World:
    """The running simulators. Attributes are the simulator objects (typed loosely: each is
    a plugin class the hub knows only by its entry point)."""

    workdir: Path
    amqp_url: str | None
    namespace: str
    elsmart: Any = None
    kis: Any = None
    nis: Any = None
    metering: Any = None
    elhub: Any = None
    notify: Any = None
    ediel: Any = None
    inbound_port: int = 0
    # The business clock the simulated people work on (the demo's simulated weeks); None:
    # the real one. Only the simulators that stamp business times take it (the metering
    # coordinator: when a meter is mounted); the hub never sees it.
    clock: Callable[[], datetime] | None = None
    cert: Path = field(default_factory=Path)
    key: Path = field(default_factory=Path)

    @property
    def metering_exchange(self) -> str:
        return f"{self.namespace}.quant.events"

    @property
    def metering_queue(self) -> str:
        return f"{self.namespace}.metering.events"

    def start(self) -> World:
        self.cert, self.key = write_dev_certificate(self.workdir / "dev-cert")
        self.inbound_port = free_port()
        self.elsmart = load("elsmart")(
            gridhub_url=f"http://127.0.0.1:{self.inbound_port}/elsmart",
            gridhub_username=INBOUND_USER, gridhub_password=INBOUND_PASSWORD,
            slow_seconds=2.0).start()
        self.kis = load("kis")(password=SIM_PASSWORD, slow_seconds=3.0).start()
        self.nis = load("nis")(password=SIM_PASSWORD, slow_seconds=3.0).start()
        self.metering = load("metering")(
            amqp_url=self.amqp_url, exchange=self.metering_exchange, clock=self.clock).start()
        sim_cert, sim_key = write_dev_certificate(self.workdir / "elhub-sim-cert",
                                                  "elhub simulator")
        self.elhub = load("elhub")(trusted_certificate=self.cert, ack_mode="sync",
                                   certificate=sim_cert, private_key=sim_key).start()
        self.notify = load("notify")().start()
        self.ediel = load("ediel")(reply_dir=self.ediel_inbox).start()
        return self

    @property
    def ediel_inbox(self) -> Path:
        """The directory the Ediel simulator (as the communication gateway) fills."""
        return self.workdir / "ediel" / "inbox"

    def stop(self) -> None:
        for sim in (self.elsmart, self.kis, self.nis, self.metering, self.elhub, self.notify,
                    self.ediel):
            if sim is not None:
                sim.stop()

    def environment(self) -> dict[str, str]:
        """The GRIDHUB_* variables the shipped routes.yaml reads, pointing at the simulators."""
        env = {
            # Secrets have no default in routes.yaml: the demo sets every one.
            "GRIDHUB_ELSMART_URL": str(self.elsmart.soap_url),
            "GRIDHUB_ELSMART_PASSWORD": SIM_PASSWORD,
            "GRIDHUB_ELSMART_LISTEN_HOST": "127.0.0.1",
            "GRIDHUB_ELSMART_LISTEN_PORT": str(self.inbound_port),
            "GRIDHUB_ELSMART_INBOUND_USER": INBOUND_USER,
            "GRIDHUB_ELSMART_INBOUND_PASSWORD": INBOUND_PASSWORD,
            "GRIDHUB_KIS_URL": str(self.kis.endpoint),
            "GRIDHUB_KIS_USER": "gridhub", "GRIDHUB_KIS_PASSWORD": SIM_PASSWORD,
            "GRIDHUB_NIS_URL": str(self.nis.endpoint),
            "GRIDHUB_NIS_USER": "gridhub", "GRIDHUB_NIS_PASSWORD": SIM_PASSWORD,
            "GRIDHUB_METERING_URL": str(self.metering.url),
            "GRIDHUB_METERING_TOKEN": "",
            "GRIDHUB_METERING_AMQP_URL": self.amqp_url or "",
            "GRIDHUB_ELHUB_URL": str(self.elhub.url), "GRIDHUB_ELHUB_PASSWORD": SIM_PASSWORD,
            "GRIDHUB_ELHUB_POLL_INTERVAL": "0.3",
            "GRIDHUB_KIS_MARKET_URL": f"{self.kis.url}/kis/market",
            "GRIDHUB_NIS_MARKET_URL": f"{self.nis.url}/nis/market",
            "GRIDHUB_METERING_MARKET_URL": f"{self.metering.url}/api/v1/market",
            "GRIDHUB_ELHUB_CERT": str(self.cert), "GRIDHUB_ELHUB_KEY": str(self.key),
            "GRIDHUB_ELHUB_SERVER_CERT": str(self.elhub.certificate),
            "GRIDHUB_SMTP_HOST": "127.0.0.1", "GRIDHUB_SMTP_PORT": str(self.notify.port),
            "GRIDHUB_EDIEL_SMTP_HOST": "127.0.0.1",
            "GRIDHUB_EDIEL_SMTP_PORT": str(self.ediel.port),
            "GRIDHUB_EDIEL_INBOX": str(self.ediel_inbox),
            "GRIDHUB_EDIEL_ARCHIVE": str(self.workdir / "ediel" / "archive"),
            "GRIDHUB_EDIEL_POLL_INTERVAL": "0.3",
            "GRIDHUB_SMTP_PASSWORD": "",  # the SMTP simulator takes mail without a login
            "GRIDHUB_EDIEL_SMTP_PASSWORD": "",
            "GRIDHUB_NOTIFY_STATE_DIR": str(self.workdir / "notify"),
        }
        return env

    def routes_overlay(self, routes: Path) -> Path:
        """``routes`` with the metering event source and the NIS feed interval set for this
        run; written to workdir."""
        doc = yaml.safe_load(routes.read_text(encoding="utf-8"))
        metering = (doc.get("connectors") or {}).get("metering")
        if isinstance(metering, dict):
            settings = metering.setdefault("settings", {})
            if self.amqp_url:
                settings.update(exchange=self.metering_exchange, queue=self.metering_queue)
            else:
                # No broker: the connector reads the coordinator's HTTP event feed instead.
                settings.update(events="http", events_poll_interval=METERING_POLL_S,
                                state_dir=str(self.workdir / "metering-connector"))
        nis = (doc.get("connectors") or {}).get("nis")
        if isinstance(nis, dict):  # read the project feed often: the demo runs in a minute
            nis.setdefault("settings", {}).update(poll_interval=METERING_POLL_S,
                                                  state_dir=str(self.workdir / "nis-connector"))
        out = self.workdir / "routes.yaml"
        out.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
        return out


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in os.environ for the block, then put back what was there."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in before.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextmanager
def running_world(workdir: Path, *, amqp_url: str | None, namespace: str,
                  clock: Callable[[], datetime] | None = None) -> Iterator[World]:
    world = World(workdir, amqp_url, namespace, clock=clock)
    try:
        yield world.start()
    finally:
        world.stop()
