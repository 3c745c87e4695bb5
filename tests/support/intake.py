"""The HTTP intake and a worker as processes beside the dev server, as they run
in production, for the intake's tests; and how a caller signs a request."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.ports import free_port, port_is_open
from intake.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

REPOSITORY = Path(__file__).resolve().parents[2]


def signed(secret: str, body: bytes, at: float | None = None) -> dict[str, str]:
    """The headers commerce or the portal send with ``body``."""
    timestamp = str(int(time.time() if at is None else at))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body),
            "Content-Type": "application/json"}


@dataclass
class Intake:
    url: str
    task_queue: str
    commerce_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    portal_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    def token(self, actor: str) -> dict[str, str]:
        (found,) = [token for token, caller in self.tokens.items() if caller["actor"] == actor]
        return {"Authorization": f"Bearer {found}"}

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=60)


def start(temporal_address: str, smtp_port: int, folder: Path, actors: dict[str, str]) -> tuple[Intake, list]:
    """The intake and a worker on a task queue of their own; ``actors``: name → role."""
    port = free_port()
    intake = Intake(url=f"http://127.0.0.1:{port}", task_queue=f"intake-{secrets.token_hex(4)}",
                    tokens={secrets.token_hex(32): {"actor": actor, "role": role} for actor, role in actors.items()})
    env = {
        **os.environ,
        "FASTTRACK_TEMPORAL_ADDRESS": temporal_address, "FASTTRACK_TASK_QUEUE": intake.task_queue,
        "FASTTRACK_SMTP_HOST": "127.0.0.1", "FASTTRACK_SMTP_PORT": str(smtp_port), "FASTTRACK_DATA_DIR": str(folder),
        "FASTTRACK_INTAKE_PORT": str(port), "FASTTRACK_COMMERCE_SECRET": intake.commerce_secret,
        "FASTTRACK_PORTAL_SECRET": intake.portal_secret, "FASTTRACK_INTAKE_TOKENS": json.dumps(intake.tokens),
        "FASTTRACK_LOG_LEVEL": "WARNING",
    }
    def launch(module: str, **extra: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", module], cwd=REPOSITORY, env={**env, **extra},
                                stdout=open(folder / f"{module}.log", "ab"), stderr=subprocess.STDOUT)

    # The worker first: it creates the register, which the intake only opens (as the stack and compose order them).
    worker = launch("workers.worker", FASTTRACK_LOG_LEVEL="INFO")
    deadline = time.monotonic() + 60
    while "worker started" not in (folder / "workers.worker.log").read_text(errors="replace"):
        assert worker.poll() is None, (folder / "workers.worker.log").read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    processes = [worker, launch("intake.service")]
    while not port_is_open(port):
        for process in processes:
            assert process.poll() is None, (folder / "intake.service.log").read_text()
        assert time.monotonic() < deadline, "the intake did not start"
        time.sleep(0.1)
    return intake, processes
