"""The HTTP intake and a worker as processes beside the dev server, as they run
in production, for the intake's tests; and how a caller signs a request."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.ports import free_port, port_is_open
from devstack.processes import fasttrack_program, stop, wait_for
from intake.settings import IntakeSettings
from intake.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from tests.support.worker_process import WorkerProcess

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


def start(temporal_address: str, smtp_port: int, folder: Path, actors: dict[str, str],
          answer_seconds: float = 30) -> tuple[Intake, list]:
    """The intake and a worker on a task queue of their own; ``actors``: name → role;
    ``answer_seconds``: the intake's wait on an engagement, long enough for a busy machine."""
    port = free_port()
    intake = Intake(url=f"http://127.0.0.1:{port}", task_queue=f"intake-{secrets.token_hex(4)}",
                    tokens={secrets.token_hex(32): {"actor": actor, "role": role} for actor, role in actors.items()})
    # The worker first: it creates the register, which the intake only opens (as the stack and compose order them).
    worker = WorkerProcess(temporal_address, folder, task_queue=intake.task_queue, smtp_port=smtp_port)
    worker.start()
    with open(folder / "intake.log", "ab") as log:
        service = worker.stack.start_process(
            IntakeSettings.environment(task_queue=intake.task_queue, data_dir=folder, intake_port=port,
                                       commerce_secret=intake.commerce_secret, portal_secret=intake.portal_secret,
                                       intake_tokens=json.dumps(intake.tokens),
                                       intake_answer_seconds=answer_seconds),
            fasttrack_program("intake"), output=log)
    try:
        wait_for(lambda: port_is_open(port), service, "The HTTP intake")
    except RuntimeError:
        stop(service, "the HTTP intake")
        worker.kill()
        raise
    return intake, [worker.process, service]
