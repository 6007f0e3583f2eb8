"""The simulator contract: a real server on loopback that speaks a back end's protocol.

Simulators are plugins in the ``gridhub.simulators`` entry point group (name -> class). Each
keeps a small persistent state and can be told to fail, so tests, the demo and the benchmarks
exercise every failure class over real sockets.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.errors import ConfigurationError

GROUP = "gridhub.simulators"


if TYPE_CHECKING:
    from hub.toolkit.inbound import Response


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

    def use_settings(self, settings: Mapping[str, Any]) -> None:
        """Speak as the connector with these routes.yaml ``settings`` expects (its own mapping
        and contract, say), for `gridhub simulate NAME --routes FILE`. Default: nothing."""

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


class Inbox:
    """Canonical messages a simulated system took in as JSON, as the webhook connector posts
    them (a system's market inbox: KIS, NIS and the metering coordinator take the datahub's
    documents this way). Thread-safe; kept in memory for the run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []

    def take(self, body: bytes) -> Response:
        # here, not at the top: hub.toolkit imports this module
        from hub.toolkit.inbound import Response

        try:
            message = json.loads(body)
        except ValueError:
            return Response(400, b'{"error": "the body is not JSON"}')
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return Response(400, b'{"error": "a canonical message needs a type"}')
        with self._lock:
            if all(m.get("message_id") != message.get("message_id") for m in self.messages):
                self.messages.append(message)  # a redelivery is taken once
        return Response(204, b"")

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages if m["type"] == type_]
