"""Connectors whose target is something a test controls, for reachability checks."""

from __future__ import annotations

import socket

from hub.connector import Connector


class TcpTarget(Connector):
    """A connector whose target is a TCP port: reachable when something listens there."""

    name = "tcp-target"

    def reachable(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.settings["port"]), timeout=1):
                return True
        except OSError:
            return False
