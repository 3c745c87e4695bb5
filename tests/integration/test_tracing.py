"""OpenTelemetry tracing, switched on by configuration: a purchase from the command
line and the engagement it starts on a worker process share one trace, from the
client's span to the workflow's and its activities'."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from engagement_client.settings import ClientSettings
from tests.support.scenario import make_purchase
from tests.support.workflow_checks import eventually

BIN = Path(sys.executable).parent


def spans(path: Path) -> list[dict]:
    return spans_in(path.read_text(errors="replace"))


async def test_a_purchase_and_its_engagement_share_one_trace(dev_server_env, task_queue, tmp_path, worker_process):
    worker = worker_process(tracing="console")
    worker.start()
    client_env = {**os.environ, **ClientSettings.environment(
        temporal_address=dev_server_env.client.service_client.config.target_host, task_queue=task_queue,
        data_dir=tmp_path, tracing="console")}
    purchase = tmp_path / "purchase.json"
    purchase.write_text(make_purchase(datetime.now(timezone.utc)).model_dump_json())
    started = subprocess.run([str(BIN / "fasttrack"), "purchase", str(purchase)], env=client_env, capture_output=True,
                             text=True, timeout=60)
    assert started.returncode == 0, started.stdout + started.stderr
    client_spans = [span for span in spans_in(started.stdout) if "Workflow:" in span["name"]]

    assert [span["name"] for span in client_spans] == ["SignalWithStartWorkflow:EngagementWorkflow"]
    trace_id = client_spans[0]["context"]["trace_id"]

    async def worker_spans():
        names = {span["name"] for span in spans(worker.out) if span["context"]["trace_id"] == trace_id}
        return names if {"RunWorkflow:EngagementWorkflow", "RunActivity:verify_eligibility"} <= names else None

    names = await eventually(worker_spans, 60, "the worker's spans never joined the purchase's trace")
    assert "StartActivity:send_notification" in names or "StartActivity:verify_eligibility" in names


def spans_in(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"name"')]
