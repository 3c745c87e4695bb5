"""Ports handed to the dev stack's services lie below the system's ephemeral range,
where no bind to port 0 (the Temporal dev server's internal services) can take them."""

from __future__ import annotations

import socket

from process_support.ports import LOWEST, _ephemeral_start, free_port


def test_a_free_port_lies_below_the_ephemeral_range_and_can_be_listened_on():
    start = _ephemeral_start()
    for _ in range(20):
        port = free_port()
        assert LOWEST <= port < start
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))
            server.listen()
