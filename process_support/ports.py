"""Local ports: a free one for a service to listen on, and whether one can be listened on."""

from __future__ import annotations

import random
import socket
from pathlib import Path


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 20000


def _ephemeral_start() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, below the system's ephemeral range: between the
    moment it is chosen and the moment its server binds it, the system cannot hand it
    to anyone else's bind to port 0 (the Temporal dev server binds its internal
    services that way, and once took the SMTP sink's port so) or outgoing connection."""
    start = _ephemeral_start()
    if start > LOWEST + 1000:
        for _ in range(100):
            port = random.randrange(LOWEST, start)
            if port_problem(port, host) is None:
                return port
    with socket.socket() as probe:  # no room below the range: the system picks
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_problem(port: int, host: str = "127.0.0.1") -> str | None:
    """Why ``port`` cannot be listened on (the system's words), or None when it can."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or type(error).__name__
    return None
