"""Each lever as its own row, beside the same baseline: the runner and the SDK's
worker options (bench/variants.py), replay under each runner, and the size of what
each workflow task carries."""

from __future__ import annotations

from collections import defaultdict

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from bench import lifecycle
from bench.replay import replay_times
from bench.report import Figure, Report, console, percentile
from bench.stack import encrypted
from bench.variants import RUNNERS, VARIANTS
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow


async def worker_levers(client: Client, arguments, baseline: lifecycle.Run, idle: list[float],
                        report: Report) -> dict:
    """``baseline``: back to back, for the throughput; ``idle``: each update on an idle workflow, for the latency."""
    count, concurrency = arguments.lever_engagements, arguments.concurrency
    console.print(f"[bold]Levers[/bold]: {count} engagements on each of {len(VARIANTS)} worker variants")
    base50 = percentile(idle, 0.5)
    details = {}
    for variant in VARIANTS:
        run = await lifecycle.engagements(client, variant.task_queue, count, concurrency)
        quiet = await lifecycle.items_on_quiet_engagements(client, variant.task_queue, max(1, count // 2), concurrency)
        p50 = percentile(quiet, 0.5)
        report.add(Figure(f"{variant.name}: update p50 (idle engagement, {concurrency} at a time)", p50, "ms",
                          baseline=base50, section="levers"))
        report.add(Figure(f"{variant.name}: workflow tasks per second", run.tasks_per_second, "/s",
                          baseline=baseline.tasks_per_second, section="levers",
                          note=f"**{run.stuck} of {count} engagements stuck**: a workflow task failed on replay "
                               f"(docs/benchmark-history.md)" if run.stuck else ""))
        details[variant.name] = {"update_p50_ms": p50, "tasks_per_second": run.tasks_per_second, "stuck": run.stuck}
    return details


async def replay_levers(history: WorkflowHistory, baseline_ms: float, repeats: int, report: Report) -> None:
    for name, runner in RUNNERS.items():
        replayer = Replayer(workflows=[EngagementWorkflow, MessageDeliveryWorkflow], data_converter=encrypted(),
                            workflow_runner=runner())
        p50 = percentile(await replay_times(replayer, history, repeats), 0.5)
        report.add(Figure(f"{name}: replay p50, completed", p50, "ms", baseline=baseline_ms, section="levers"))


def _payload_bytes(payloads) -> int:
    return sum(payload.ByteSize() for payload in payloads.payloads)


def carried(histories: list[WorkflowHistory]) -> dict[str, tuple[int, int]]:
    """Bytes of payloads by what carries them: (count, total bytes) over the histories."""
    sizes: dict[str, list[int]] = defaultdict(list)
    for history in histories:
        for event in history.events:
            kind = event.event_type
            if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                sizes["workflow input"].append(_payload_bytes(event.workflow_execution_started_event_attributes.input))
            elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                request = event.workflow_execution_update_accepted_event_attributes.accepted_request
                sizes["update request"].append(_payload_bytes(request.input.args))
            elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
                outcome = event.workflow_execution_update_completed_event_attributes.outcome
                sizes["update result (receipt)"].append(_payload_bytes(outcome.success))
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                attributes = event.activity_task_scheduled_event_attributes
                sizes[f"activity input: {attributes.activity_type.name}"].append(_payload_bytes(attributes.input))
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                sizes["activity result"].append(_payload_bytes(event.activity_task_completed_event_attributes.result))
    return {kind: (len(values), sum(values)) for kind, values in sizes.items()}


def payload_sizes(histories: list[WorkflowHistory], report: Report) -> dict:
    engagements = len(histories)
    found = carried(histories)
    for kind, (count, total) in sorted(found.items(), key=lambda item: -item[1][1]):
        report.add(Figure(f"carried per engagement: {kind}", total / engagements / 1024, "KiB", section="levers",
                          note=f"{count / engagements:.1f} per engagement, {total / max(count, 1):,.0f} bytes each"))
    return {kind: {"count": count, "bytes": total} for kind, (count, total) in found.items()}
