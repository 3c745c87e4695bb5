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
        "update latency p50 (complete a checklist item, the engagement alone and idle)",
        "update latency p50 (an item on an idle engagement, 2 such engagements at a time)",
        "update latency p50 (items back to back, behind the engagement's own tasks)",
        "history events, completed",
        "history size, expired",
        "replay p50, rejected_verification",
        "worker memory per cached engagement",
        "visibility query by phase (count + first 100), p50",
        "HTTP intake overhead p50 (a checkpoint held)",
        "sandbox, default restrictions: update p50 (idle engagement, 2 at a time)",
        "activities without their I/O: no mail, no register writes (a ceiling only, never shipped): "
        "workflow tasks per second",
        "unsandboxed (a ceiling only, never shipped): replay p50, completed",
        "max_cached_workflows 4 (most tasks replay the history): workflow tasks per second",
        "carried per engagement: update result (receipt)",
    ):
        assert expected in names
    growth = [name for name in names if name.startswith("at ") and " KiB: " in name]
    assert len(growth) == 12 and any(name.endswith("status read p50 (the standing query)") for name in growth)
    budgets = [figure for figure in results["figures"] if figure["budget"]]
    assert len(budgets) == 13 and all(figure["passed"] in (True, False) for figure in budgets)
    assert results["meta"]["cpus"] >= 1 and results["meta"]["temporalio"]
    table = (tmp_path / "latest.md").read_text()
    assert "| figure | value | baseline |" in table and table in finished.stdout
    assert "### Where the worker's time goes under load" in table
    # py-spy sampled the worker, or says why it could not (it needs leave to attach to another process)
    assert results["profile"][0].endswith("samples.") or results["profile"][0].startswith("py-spy could not"), \
        results["profile"][:3]


@pytest.mark.timeout(300)
def test_benchmark_scale_mode_fills_the_scaling_table(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--scale", "1", "--output", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=280,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    results = json.loads((tmp_path / "scale.json").read_text())
    names = [figure["name"] for figure in results["figures"]]
    for count in ("20", "40"):
        for figure in ("start rate, first block", "visibility query --at-risk (count + first 100), p50",
                       "worker RSS", "server database", "wake an engagement (a query), p50"):
            assert f"{count} at rest: {figure}" in names
    assert results["details"]["40"]["cache"] == 10  # so the woken engagements had been evicted, and replayed
    assert results["details"]["40"]["waiting"] == 40 and len(results["details"]["40"]["wake_ms"]) == 10
    table = (tmp_path / "scale.md").read_text()
    assert "| engagements at rest | 20 | 40 |" in table and "| worker RSS | " in table


def test_benchmark_refuses_bad_arguments():
    finished = subprocess.run([sys.executable, "-m", "bench.run", "--at-rest", "0"], cwd=REPOSITORY,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2 and "--at-rest must be at least 1" in finished.stderr
