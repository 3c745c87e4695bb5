"""A profile of the benchmark's worker under load, with py-spy (from PyPI): sampled
while the engagements run, summarised as the functions holding the most samples."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Frames every sample passes through, which say nothing about where the time goes.
_PLUMBING = ("<frozen ", "runpy", "asyncio/", "threading.py", "concurrent/futures/thread.py", "bench/worker.py")


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profile:
    """py-spy attached to a process for as long as the ``with`` block runs."""

    def __init__(self, pid: int, output: Path, rate: int = 100) -> None:
        self.pid, self.output, self.rate = pid, output, rate
        self.process: subprocess.Popen | None = None
        self.problem = ""

    def __enter__(self) -> Profile:
        binary = py_spy()
        if binary is None:
            self.problem = "py-spy is not installed (pip install -e '.[test]')"
            return self
        self.process = subprocess.Popen(
            [binary, "record", "--pid", str(self.pid), "--format", "raw", "--rate", str(self.rate), "--nonblocking",
             "--output", str(self.output)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return self

    def __exit__(self, *_exc) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)  # py-spy writes what it sampled and exits
        try:
            said, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            said, _ = self.process.communicate()
        if not self.output.exists():
            self.problem = f"py-spy could not sample the worker: {said.strip()[-300:]}"


def _function(frame: str) -> str:
    """'send_notification (activities/notifier.py:88)' → 'send_notification (activities/notifier.py)'."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    if path.startswith("/"):
        path = "/".join(path.split("/")[-2:])
    return f"{name} ({path})" if path else name


def summarise(raw: Path, top: int = 15) -> tuple[int, list[tuple[str, float, float]]]:
    """Samples, and the functions with the most samples: (function, share inclusive, share on top of the stack)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_function(frame) for frame in stack.split(";") if frame]
        for function in set(frames):
            inclusive[function] += samples
        if frames:
            own[frames[-1]] += samples
    if not total:
        return 0, []
    ranked = [(function, samples / total, own[function] / total) for function, samples in inclusive.most_common()
              if not any(marker in function for marker in _PLUMBING)]
    return total, ranked[:top]


def markdown_lines(total: int, ranked: list[tuple[str, float, float]]) -> list[str]:
    lines = [f"{total:,} samples.", "", "| function | inclusive | on top |", "|---|---|---|"]
    lines += [f"| `{function}` | {inclusive:.1%} | {on_top:.1%} |" for function, inclusive, on_top in ranked]
    return lines
