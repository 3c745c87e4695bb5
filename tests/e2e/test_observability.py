"""The worker's /metrics, /healthz and /readyz on the `make run` stack, after the
demo: the business values match the engagements' own states."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client

from engagement_client.query_retry import QueryRetryInterceptor
from tests.support.encryption import encrypted_converter
from tests.support.stack_process import REPOSITORY, play_demo
from tests.support.workflow_checks import eventually
from workflows import metrics
from workflows.engagement import EngagementWorkflow

FASTTRACK = str(Path(sys.executable).parent / "fasttrack")


def exposition(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        return response.read().decode()


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(exposition(port)) for sample in family.samples}


def series_names(text: str) -> set[str]:
    """The names as Prometheus stores them: read off the text, not normalised by a parser."""
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line)
            assert name, line
            names.add(name[0])
    return names


def total(samples: dict, name: str, **labels: str) -> float:
    return sum(value for (sample, sample_labels), value in samples.items()
               if sample == name and set(labels.items()) <= set(sample_labels))


def answer(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.timeout(300)
async def test_metrics_after_the_demo_match_the_engagements_and_the_worker_is_ready(stack):
    stack.start()

    async def ready():  # the worker may still be starting when the banner shows
        try:
            return answer(stack.metrics_port, "/readyz")
        except urllib.error.URLError:
            return None

    status, readiness = await eventually(ready, 30, "the worker's endpoint never answered")
    assert status == 200 and readiness["checks"] == {"temporal": "ok", "register": "ok", "worker": "ok"}
    assert answer(stack.metrics_port, "/healthz") == (200, {"status": "ok"})

    pages = await play_demo(stack)
    client = await Client.connect(f"127.0.0.1:{stack.port}", data_converter=encrypted_converter(),
                                  interceptors=[QueryRetryInterceptor()])
    states = {name: await client.get_workflow_handle(url.rsplit("/", 1)[1]).query(EngagementWorkflow.state)
              for name, url in pages.items()}
    by_phase = Counter(state.phase.value for state in states.values())
    assert by_phase == Counter({"completed": 2, "withdrawn": 1, "initiate": 1, "ineligible": 1, "remediate": 1})

    samples = scrape(stack.metrics_port)
    for phase, count in by_phase.items():
        assert total(samples, "fasttrack_engagements", phase=phase) == count, phase
    assert total(samples, "fasttrack_engagements") == len(pages)
    breached = sum(state.contact_sla_breached for state in states.values())
    assert total(samples, "fasttrack_open_engagements_at_risk", risk="contact_sla_breached") == breached == 1
    assert total(samples, "temporal_workflow_task_execution_latency_count") > 0  # the SDK's own metrics

    # Every series the Grafana dashboard plots is one the worker serves (a counter shows once counted).
    dashboard = json.loads((REPOSITORY / "deploy" / "grafana" / "dashboards" / "fasttrack.json").read_text())
    plotted = {re.sub(r"_bucket$", "", name) for panel in dashboard["panels"] for target in panel["targets"]
               for name in re.findall(r"\b((?:fasttrack|temporal)_[a-z_]+)", target["expr"])}
    served = {re.sub(r"_bucket$", "", name) for name in series_names(exposition(stack.metrics_port))}
    counters = {f"{name}_total" for name, _ in (metrics.SENT, metrics.FAILED, metrics.REFUSED)}
    assert plotted - served <= counters, plotted - served
    assert "fasttrack_messages_sent_total" in served  # a counter's name ends in _total in the text itself

    # Every message the mail server holds was counted as sent (Tailspin's outreach goes on meanwhile).
    mail = stack.data_dir / "mail"

    async def counted_as_delivered():
        sent = total(scrape(stack.metrics_port), "fasttrack_messages_sent_total")
        return sent if sent == len(list(mail.glob("*.eml"))) > 0 else None

    await eventually(counted_as_delivered, 60, "fasttrack_messages_sent never matched the mail received")

    tailspin = pages["Tailspin"].rsplit("/", 1)[1]
    refused = subprocess.run([FASTTRACK, "--address", f"127.0.0.1:{stack.port}", "task-done", tailspin, "core.dns"],
                             capture_output=True, text=True, timeout=60, env=stack.client_environment())
    assert refused.returncode == 1, refused.stdout + refused.stderr
    signalled = subprocess.run([str(Path(sys.executable).parent / "temporal"), "workflow", "signal", "--address",
                                f"127.0.0.1:{stack.port}", "--workflow-id", tailspin, "--name", "complete_task",
                                "--input", json.dumps({"by": "Sam", "task_id": "core.dns"})],
                               capture_output=True, text=True, timeout=60)
    assert signalled.returncode == 0, signalled.stderr

    async def refusals():
        samples = scrape(stack.metrics_port)
        counted = (total(samples, "fasttrack_actions_refused_total", action="complete_task", via="update"),
                   total(samples, "fasttrack_actions_refused_total", action="complete_task", via="signal"))
        return counted if counted[1] else None

    assert await eventually(refusals, 30, "the refused signal was never counted") == (1, 1)  # each once
    assert stack.stop() == 0


def test_a_metrics_port_in_use_stops_the_worker_at_start_with_its_reason(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "workers.worker"], cwd=REPOSITORY, capture_output=True, text=True,
                              timeout=60, env={**os.environ, "FASTTRACK_METRICS_PORT": str(port),
                                               "FASTTRACK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1
    assert f"FASTTRACK_METRICS_PORT {port} on 127.0.0.1: Address already in use" in done.stderr, done.stderr
