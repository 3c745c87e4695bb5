"""History size and replay time of the reference paths (recorded on the time-skipping
server), each beside a baseline history of the same length."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow
from bench.report import Figure, Report, console, percentile
from bench.stack import encrypted
from simulation.record import record
from workers.runner import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

TEMPORAL_EVENT_LIMIT = 51_200
TEMPORAL_SIZE_LIMIT = 50 * 1024 * 1024
# The server's defaults for suggesting continue-as-new (limit.historyCount / limit.historySize).
SUGGEST_CONTINUE_AS_NEW_EVENTS = 4 * 1024
REPLAY_BUDGET = 1.0  # × a baseline history of the same length


async def replay_times(replayer: Replayer, history: WorkflowHistory, repeats: int, batch: int = 5) -> list[float]:
    """Replayed as a running worker replays a waking engagement: in batches through one
    replayer (its start-up is not part of the cost); each sample is a batch's mean."""
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


async def baseline_history(client: Client, events: int) -> WorkflowHistory:
    """A baseline history of about the given length: six events per no-op activity."""
    handle = await client.start_workflow(BaselineWorkflow.run, args=[max(1, events // 6), 0],
                                         id=f"baseline-replay-{uuid.uuid4()}", task_queue=BASELINE_TASK_QUEUE)
    await handle.result()
    return await handle.fetch_history()


async def histories_and_replay(client: Client, folder: Path, repeats: int, report: Report) -> tuple:
    """Returns the completed path's history and its baseline's replay p50, for the replay levers."""
    console.print("[bold]3–4. History size and replay[/bold]: recording the reference paths on the time-skipping server")
    await record(folder)
    replayer = Replayer(workflows=[EngagementWorkflow, MessageDeliveryWorkflow],
                        data_converter=encrypted(), workflow_runner=workflow_runner())
    baseline_replayer = Replayer(workflows=[BaselineWorkflow], data_converter=encrypted())
    completed_history, completed_baseline = None, None
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
        base_history = await baseline_history(client, events)
        timings = await replay_times(replayer, history, repeats)
        baseline_timings = await replay_times(baseline_replayer, base_history, repeats)
        p50, p99, base50 = percentile(timings, 0.5), percentile(timings, 0.99), percentile(baseline_timings, 0.5)
        report.add(Figure(f"replay p50, {path}", p50, "ms", baseline=base50,
                          budget=f"≤ {REPLAY_BUDGET}× baseline" if completed else "",
                          passed=p50 <= REPLAY_BUDGET * base50 if completed else None,
                          note=f"p99 {p99:.1f} ms; {p50 * 1000 / events:.0f} µs per event "
                               f"(baseline {base50 * 1000 / len(base_history.events):.0f} µs, "
                               f"{len(base_history.events)} events)"))
        if completed:
            completed_history, completed_baseline = history, base50
    return completed_history, completed_baseline
