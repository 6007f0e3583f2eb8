"""The demo world's free ports: drawn below the kernel's ephemeral range, so a port picked
for a server that binds it later is not handed meanwhile to a socket bound to port 0 or to
an outgoing connection (the cause of an "Address already in use" in a flow test)."""

from __future__ import annotations

import socket

from hub.demo.world import _ephemeral_low, free_port


def test_a_free_port_is_below_the_ephemeral_range_and_can_be_bound():
    low = _ephemeral_low()
    ports = {free_port() for _ in range(20)}
    assert all(10_000 <= port < low for port in ports), (low, ports)
    assert len(ports) > 1  # drawn, not one fixed port every caller would share
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", ports.pop()))


def test_a_port_bound_to_zero_comes_from_the_ephemeral_range():
    # why the draw avoids that range: the kernel hands these out to anyone binding port 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        assert sock.getsockname()[1] >= _ephemeral_low()
