"""CPU time of the benchmark's processes over a run (the worker, the embedded server,
the mail sink and the benchmark's own clients): what one workflow task costs each of
them, and how busy the machine was."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class CpuMeter:
    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = processes | {"benchmark's clients": os.getpid()}

    def read(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) for name, pid in self.processes.items()}

    def since(self, before: dict[str, float]) -> dict[str, float]:
        now = self.read()
        return {name: now[name] - before[name] for name in now}
