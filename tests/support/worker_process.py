"""The product's worker as its own process (`fasttrack worker`) beside the suite's dev
server, as it runs in production: the one way tests start one. It is started by
the dev stack's own launcher (DevStack.start_process) and is ready once it logs that
it started; it can be stopped as an operator would, or killed as a crash would."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from devstack.processes import DevStack, stop, wait_for
from devstack.settings import StackSettings
from workers.config import WorkerSettings

STARTED = "worker started"


class WorkerProcess:
    def __init__(self, address: str, folder: Path, name: str = "worker", **settings: object) -> None:
        """``address``: the dev server's 127.0.0.1:<port>; ``settings``: WorkerSettings values
        (task_queue, smtp_port, …). Logs go to ``<name>.log``, anything printed (console
        traces) to ``<name>.out``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.stack = DevStack(StackSettings(temporal_port=int(address.rpartition(":")[2])), ui=False)
        self.log, self.out = folder / f"{name}.log", folder / f"{name}.out"
        self.env = WorkerSettings.environment(**{
            "smtp_host": "127.0.0.1", "smtp_security": "none", "data_dir": folder, "log_level": "INFO",
            "log_format": "json", "shutdown_grace_seconds": 1, "create_register": True, **settings,
        })
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Starts it (again, once it has stopped) and returns once it polls; a start that
        fails says why, with its log."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"the worker logging to {self.log.name} is already running")
        already = self.log.stat().st_size if self.log.exists() else 0
        with open(self.out, "ab") as out, open(self.log, "ab") as log:
            self.process = self.stack.start_process(self.env, output=out, errors=log)
        try:
            wait_for(lambda: STARTED in self.log.read_text(errors="replace")[already:], self.process, "The worker")
        except RuntimeError as error:
            self.kill()
            raise RuntimeError(f"{error}\n{self.log.read_text(errors='replace')[already:][-3000:]}") from None

    def stop(self) -> int | None:
        """SIGTERM, as an orchestrator stops it (the tasks in hand finish first); its exit status."""
        stop(self.process, "the worker")
        return None if self.process is None else self.process.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
