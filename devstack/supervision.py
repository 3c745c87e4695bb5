"""The stack's product processes kept running: one that exits is started again at
once, and one that keeps exiting stops the stack with its name and status."""

from __future__ import annotations

import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

RESTARTS = 3  # within WINDOW_SECONDS; one more exit stops the stack
WINDOW_SECONDS = 60.0


@dataclass
class Supervised:
    name: str  # as the stack's messages say it: "The worker", "The HTTP intake" …
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen
    restarts: deque[float] = field(default_factory=deque)

    def check(self, clock: Callable[[], float] = time.monotonic) -> str | None:
        """Starts the process again if it exited; why the stack must stop, if it keeps exiting."""
        status = self.process.poll()
        if status is None:
            return None
        now = clock()
        while self.restarts and now - self.restarts[0] > WINDOW_SECONDS:
            self.restarts.popleft()
        if len(self.restarts) >= RESTARTS:
            return (f"{self.name} exited {RESTARTS + 1} times within {WINDOW_SECONDS:.0f} s (status {status}); "
                    "stopping the stack: its output above says why.")
        print(f"{self.name} exited (status {status}); starting it again.", flush=True)
        self.restarts.append(now)
        self.process = self.start()
        return None
