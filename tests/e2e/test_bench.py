"""The benchmark's smoke mode runs in the suite, so the benchmark cannot rot.
(No timing is asserted here: figures are judged by the benchmark's own budgets.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.stack_process import REPOSITORY


@pytest.mark.timeout(300)
def test_benchmark_smoke_mode_measures_every_figure(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--output", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=280,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    names = [figure["name"] for figure in results["figures"]]
    for expected in (
        "workflow tasks per second",
        "update latency p50 (complete a remediation item)",
        "history events, completed",
        "history size, expired",
        "replay p50, rejected_verification",
        "worker memory per cached engagement",
        "visibility query by phase (count + first 100)",
        "HTTP intake overhead p50 (a checkpoint held)",
    ):
        assert expected in names
    budgets = [figure for figure in results["figures"] if figure["budget"]]
    assert len(budgets) == 7 and all(figure["passed"] in (True, False) for figure in budgets)
    assert results["meta"]["cpus"] >= 1 and results["meta"]["temporalio"]
    table = (tmp_path / "latest.md").read_text()
    assert "| figure | value | baseline |" in table and table in finished.stdout


def test_benchmark_refuses_bad_arguments():
    finished = subprocess.run([sys.executable, "-m", "bench.run", "--at-rest", "0"], cwd=REPOSITORY,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2 and "--at-rest must be at least 1" in finished.stderr
