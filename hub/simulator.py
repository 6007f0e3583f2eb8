"""The simulator contract: a real server on loopback that speaks a back end's protocol.

Simulators are plugins in the ``gridhub.simulators`` entry point group (name -> class). Each
keeps a small persistent state and can be told to fail, so tests, the demo and the benchmarks
exercise every failure class over real sockets.
"""

from __future__ import annotations

from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path

from hub.errors import ConfigurationError

GROUP = "gridhub.simulators"


class FailureMode(StrEnum):
    NONE = "none"
    SLOW = "slow"  # answer after the client's time-out
    SERVER_ERROR = "5xx"  # HTTP 500 / SOAP Server fault
    SOAP_FAULT = "soap-fault"  # SOAP Client fault (permanent)
    REJECT = "reject"  # a business rejection (HTTP 4xx, Elhub status 41)
    DOWN = "down"  # close the socket / refuse


class Simulator:
    """Base class. Subclasses implement start/stop and honour ``self.failure``."""

    name = ""
    # Where `gridhub simulate NAME` listens by default: the port the shipped routes.yaml uses.
    default_port = 0

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 state_dir: Path | None = None) -> None:
        self.host = host
        self.port = port
        self.state_dir = state_dir
        self.failure = FailureMode.NONE

    def fail(self, mode: FailureMode | str) -> None:
        """Change how the simulator answers from now on."""
        self.failure = FailureMode(mode)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Simulator:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


def available() -> set[str]:
    return {ep.name for ep in entry_points(group=GROUP)}


def load(name: str) -> type[Simulator]:
    for ep in entry_points(group=GROUP, name=name):
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, Simulator):
            return cls
    raise ConfigurationError(f"no simulator {name!r} (available: "
                             f"{', '.join(sorted(available())) or 'none'})", where="simulate")
