"""The stack's processes — the Temporal dev server, the SMTP sink, a worker —
started with readiness checks and stopped in order. One launcher for `make run`,
the crash tests and the benchmark."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from codec_server.settings import CodecServerSettings
from devstack.ports import port_is_open
from devstack.settings import (
    RETENTION,
    StackSettings,
    namespace_describe_command,
    retention_command,
    server_command,
    ui_origins,
)
from devstack.smtp_sink import SinkSettings
from engagement_client.settings import ClientSettings
from process_support.healthcheck import answers

STOP_GRACE_SECONDS = 20
READY_TIMEOUT_SECONDS = 60
ADMIN_DEADLINE_SECONDS = 60  # a busy machine can take tens of seconds to serve a new server's namespace
ADMIN_PAUSE_SECONDS = 0.25
REPOSITORY = Path(__file__).resolve().parent.parent


class StackStartError(RuntimeError):
    """A start-up step of the stack did not succeed in time; the sentence says which step and why."""


def _child_of_this_process() -> None:
    """In each child: a session of its own (Ctrl-C reaches only the stack, which
    stops the children in order), and SIGTERM if the stack itself dies, so that
    no server or worker outlives it."""
    os.setsid()
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_for(ready, process: subprocess.Popen, what: str, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}.")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not ready after {timeout:.0f}s.")
        time.sleep(0.1)


def stop(process: subprocess.Popen | None, name: str, announce: bool = False) -> None:
    """SIGTERM, a grace period, then SIGKILL."""
    if process is None or process.poll() is not None:
        return
    if announce:
        print(f"Stopping {name}…", flush=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        if announce:
            print(f"{name} did not stop within {STOP_GRACE_SECONDS}s; killing it.", flush=True)
        process.kill()
        process.wait()


def run_admin_command(command: list[str], what: str, deadline_seconds: float | None = None) -> str:
    """Runs a `temporal` admin command until it succeeds, or raises StackStartError with its
    last error. A server whose port is open may not serve its namespace yet, and refuses
    meanwhile; every refusal is tried again until the deadline."""
    deadline_seconds = ADMIN_DEADLINE_SECONDS if deadline_seconds is None else deadline_seconds
    deadline = time.monotonic() + deadline_seconds
    while True:
        remaining = max(deadline - time.monotonic(), 1.0)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=min(30.0, remaining),
                                  env=local_environment())
        except subprocess.TimeoutExpired:
            last_error = f"no answer within {min(30.0, remaining):.0f}s"
        else:
            if done.returncode == 0:
                return done.stdout
            last_error = " ".join((done.stderr or done.stdout or f"exit status {done.returncode}").split())
        if time.monotonic() + ADMIN_PAUSE_SECONDS > deadline:
            raise StackStartError(f"{what} did not succeed within {deadline_seconds:.0f}s: {last_error}")
        time.sleep(ADMIN_PAUSE_SECONDS)


async def log_says(log: Path, line: str, times: int = 1, process: subprocess.Popen | None = None,
                   timeout: float = READY_TIMEOUT_SECONDS) -> None:
    """Waits until ``log`` holds ``line`` ``times`` times: a worker's word that it polls."""
    deadline = time.monotonic() + timeout
    while log.read_text(errors="replace").count(line) < times:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process exited (status {process.returncode}); see {log}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{line!r} did not show in {log} within {timeout:.0f}s")
        await asyncio.sleep(0.1)


def fasttrack_program(*arguments: str) -> list[str]:
    """`fasttrack <arguments>`: the one program, installed beside this Python."""
    return [str(Path(sys.executable).parent / "fasttrack"), *arguments]


def python_module(name: str) -> list[str]:
    return [sys.executable, "-m", name]


def local_environment(**settings: str) -> dict[str, str]:
    """A child's environment: this one without the shell's own Temporal connection
    (TEMPORAL_* variables, profile file), which would send it elsewhere than the embedded server."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("TEMPORAL_")}
    return {**inherited, "TEMPORAL_CONFIG_FILE": os.devnull, **settings}


class DevStack:
    def __init__(self, settings: StackSettings, ui: bool = True) -> None:
        self.settings = settings
        self.ui = ui
        self.server: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.settings.temporal_port}"

    def start_server(self, output: IO | int | None = None, codec_token: str | None = None) -> subprocess.Popen:
        """The dev server (with its UI unless headless, decoding through the codec
        server when given its token), once it answers."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        command = server_command(self.settings, codec_token if self.ui else None) + ([] if self.ui else ["--headless"])
        ui_url = f"http://127.0.0.1:{self.settings.ui_port}/"
        for attempt in range(1, 4):
            self.server = server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                                    preexec_fn=_child_of_this_process)
            try:
                wait_for(lambda: port_is_open(self.settings.temporal_port) and (not self.ui or answers(ui_url, 2)),
                         self.server, "The Temporal server")
                break
            except RuntimeError:
                # The CLI picks its HTTP API and metrics ports at random; another process
                # may take one before the server binds it. A server that exited while
                # starting is started again; a real problem fails the same way three times.
                if self.server.poll() is None or attempt == 3:
                    raise
        self._namespace_ready()
        return server

    def _namespace_ready(self) -> None:
        """Waits until the server serves the stack's namespace (an open port comes first),
        then keeps closed engagements for RETENTION instead of the dev server's one day."""
        namespace = self.settings.temporal_namespace
        run_admin_command(namespace_describe_command(self.settings),
                          f"The Temporal server's namespace {namespace!r}, asked whether it is ready,")
        run_admin_command(retention_command(self.settings),
                          f"Setting the retention of namespace {namespace!r} to {RETENTION}")

    def stop_server(self, announce: bool = False) -> None:
        stop(self.server, "the Temporal server", announce)

    def start_sink(self, mail_dir: Path) -> subprocess.Popen:
        """The local SMTP sink on the stack's SMTP port, keeping what it receives in ``mail_dir``."""
        sink = subprocess.Popen(
            [sys.executable, "-m", "devstack.smtp_sink"],
            env=local_environment(**SinkSettings.environment(smtp_port=self.settings.smtp_port, mail_dir=mail_dir)),
            stdout=subprocess.DEVNULL, preexec_fn=_child_of_this_process, cwd=REPOSITORY,
        )
        wait_for(lambda: port_is_open(self.settings.smtp_port), sink, "The SMTP sink")
        return sink

    def start_codec_server(self, token: str) -> subprocess.Popen:
        """The codec server on the stack's codec port, open to the UI's origin."""
        codec = subprocess.Popen(
            fasttrack_program("codec-server"), cwd=REPOSITORY,
            env=local_environment(**CodecServerSettings.environment(
                data_dir=self.settings.data_dir, codec_port=self.settings.codec_port, codec_token=token,
                codec_origins=ui_origins(self.settings))),
            preexec_fn=_child_of_this_process,
        )
        wait_for(lambda: port_is_open(self.settings.codec_port), codec, "The codec server")
        return codec

    def start_process(self, env: dict[str, str], command: list[str] | None = None,
                      output: IO | int | None = None, errors: IO | int | None = None) -> subprocess.Popen:
        """A process connected to this server, by default `fasttrack worker`; ``env`` adds
        its FASTTRACK_* settings. Its errors (and logs) go to ``output`` unless ``errors`` is given."""
        return subprocess.Popen(
            command or fasttrack_program("worker"), cwd=REPOSITORY, stdout=output,
            stderr=errors if errors is not None else subprocess.STDOUT if output else None,
            env=local_environment(**ClientSettings.environment(temporal_address=self.address,
                                                               temporal_namespace=self.settings.temporal_namespace),
                                  **env),
            preexec_fn=_child_of_this_process,
        )
