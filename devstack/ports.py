"""Local ports for the dev stack, its tests and the benchmark."""

from __future__ import annotations

import socket

from process_support.ports import free_port, port_problem

__all__ = ["free_port", "port_is_free", "port_is_open"]


def port_is_free(port: int) -> bool:
    return port_problem(port) is None


def port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
