"""The run command's stack (`fasttrack dev`) as a subprocess, for tests."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from devstack.ports import free_port
from devstack.processes import fasttrack_program
from devstack.settings import StackSettings
from register import Register
from register.store import default_url

REPOSITORY = Path(__file__).resolve().parents[2]


class Stack:
    def __init__(self, data_dir: Path, keys_in_data_dir: bool = False) -> None:
        """``keys_in_data_dir``: as for a user, the stack makes its payload key in the data
        folder, where every client finds it; otherwise all use the suite's key."""
        self.data_dir = data_dir
        self.keys_in_data_dir = keys_in_data_dir
        self.port = free_port()
        self.ui_port = free_port()
        self.smtp_port = free_port()
        self.intake_port = free_port()
        self.codec_port = free_port()
        self.metrics_port = free_port()
        self.page_port = free_port()
        self.board_port = free_port()
        self.process: subprocess.Popen | None = None
        self.output = data_dir / "stack-output.log"
        self.register = Register(default_url(data_dir))
        self.demo_page_link: str | None = None

    def client_environment(self) -> dict[str, str]:
        """What a user's terminal has while the stack runs: the register and the keys in its data folder."""
        hidden = {"FASTTRACK_DATABASE_URL"} | ({"FASTTRACK_ENCRYPTION_KEYS"} if self.keys_in_data_dir else set())
        return {**{name: value for name, value in os.environ.items() if name not in hidden},
                "FASTTRACK_DATA_DIR": str(self.data_dir)}  # the register is the SQLite file in it

    def start(self) -> None:
        env = {
            **self.client_environment(),
            **StackSettings.environment(temporal_port=self.port, ui_port=self.ui_port, smtp_port=self.smtp_port,
                                        intake_port=self.intake_port, codec_port=self.codec_port,
                                        metrics_port=self.metrics_port, page_port=self.page_port,
                                        board_port=self.board_port),
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        already_written = self.output.stat().st_size if self.output.exists() else 0
        with open(self.output, "ab") as output:
            self.process = subprocess.Popen(
                fasttrack_program("dev"), cwd=REPOSITORY, env=env, stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while "Press Ctrl-C to stop." not in self.output.read_text()[already_written:]:
            assert self.process.poll() is None, self.output.read_text()
            assert time.monotonic() < deadline, self.output.read_text()
            time.sleep(0.2)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)  # what Ctrl-C does
        status = self.process.wait(60)
        if status != 0:  # the stack says why it stopped: show it with the failure
            print(self.output.read_text(errors="replace")[-4000:])
        return status

    def kill(self) -> None:
        """After a failed test: a graceful stop first, then SIGKILL (the stack's
        children die with it)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def play_demo(stack: Stack, day_seconds: float = 0.2) -> dict[str, str]:
    """Runs `make demo`'s command against the stack from a shell whose own Temporal
    settings point elsewhere; returns each demo engagement's UI address (and keeps, as
    ``stack.demo_page_link``, the customer page of the one that waits for its customer).
    ``day_seconds``: a day of the demo's compressed year (0.2: Tailspin expires 73 s after its purchase)."""
    env = {
        **stack.client_environment(),
        "FASTTRACK_TEMPORAL_PORT": str(stack.port),
        "FASTTRACK_UI_PORT": str(stack.ui_port),
        "TEMPORAL_ADDRESS": "127.0.0.1:1", "TEMPORAL_PROFILE": "elsewhere",  # ignored by `make demo`
        "COLUMNS": "250",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devstack.demo", "--day-seconds", str(day_seconds), env=env, cwd=REPOSITORY,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = output.decode()
    assert process.returncode == 0, text
    links = re.findall(r"^\s+(http://127\.0\.0\.1:\d+/e/\S+)$", text, re.M)
    stack.demo_page_link = links[0] if links else None
    return dict(re.findall(r"^\s+(\w+)\s+\w+\s+(http://\S+)$", text, re.M))
