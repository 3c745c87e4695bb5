"""The product's worker as its own process (`fasttrack worker`) beside the suite's dev
server, as it runs in production: the one way tests start one. It is started by
the dev stack's own launcher (DevStack.start_worker) and is ready once it logs that
it started; it can be stopped as an operator would, or killed as a crash would."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from devstack.processes import DevStack, stop, wait_for
from devstack.settings import StackSettings
from workers.config import WorkerSettings

STARTED = '"worker started"'


class WorkerProcess:
    def __init__(self, address: str, folder: Path, name: str = "worker", **settings: object) -> None:
        """``settings``: WorkerSettings values (task_queue, smtp_port, …); logs in ``<name>.log``,
        anything printed (console traces) in ``<name>.out``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.stack = DevStack(StackSettings(temporal_port=int(address.rpartition(":")[2])), ui=False)
        self.log, self.out = folder / f"{name}.log", folder / f"{name}.out"
        self.env = WorkerSettings.environment(**{
            "smtp_host": "127.0.0.1", "smtp_security": "none", "data_dir": folder, "log_level": "INFO",
            "log_format": "json", "shutdown_grace_seconds": 1, **settings,
        })
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        """Starts it (again) and returns once it polls; a start that fails says why, with its log."""
        self.process = self.stack.start_worker(self.env, output=open(self.out, "ab"), errors=open(self.log, "ab"))
        self.starts += 1
        starts = self.starts
        try:
            wait_for(lambda: self.log.read_text(errors="replace").count(STARTED) >= starts, self.process, "The worker")
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{self.log.read_text(errors='replace')[-3000:]}") from None

    def stop(self) -> None:
        """SIGTERM, as an orchestrator stops it: the tasks in hand finish first."""
        stop(self.process, "the worker")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
