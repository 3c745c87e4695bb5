"""The dev stack starts again a product process that exits, and stops, naming it,
when it keeps exiting: real processes, a clock the test moves."""

from __future__ import annotations

import subprocess
import sys

from devstack.supervision import RESTARTS, WINDOW_SECONDS, Supervised


def exiting(status: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({status})"])
    process.wait(30)
    return process


def test_a_process_that_exits_is_started_again_and_one_that_keeps_exiting_stops_the_stack(capsys):
    starts = []

    def start() -> subprocess.Popen:
        starts.append(exiting(3))
        return starts[-1]

    now = [1000.0]
    worker = Supervised("The worker", start, exiting(3))
    for _ in range(RESTARTS):
        assert worker.check(lambda: now[0]) is None
        now[0] += 1
    assert len(starts) == RESTARTS and worker.process is starts[-1]
    assert capsys.readouterr().out.count("The worker exited (status 3); starting it again.") == RESTARTS
    why = worker.check(lambda: now[0])
    assert why is not None and why.startswith(f"The worker exited {RESTARTS + 1} times") and "status 3" in why

    now[0] += WINDOW_SECONDS + 1  # exits spread over time are each started again
    assert worker.check(lambda: now[0]) is None and len(starts) == RESTARTS + 1


def test_a_running_process_is_left_alone():
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert Supervised("The board", lambda: running, running).check() is None
    finally:
        running.kill()
        running.wait(30)
