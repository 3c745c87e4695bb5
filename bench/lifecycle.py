"""Engagements driven through their whole lifecycle, as the demo's customer drives
them, on a given task queue; and the baseline, which takes the same number of
updates and activities with no logic of its own."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow
from bench.cpu import CpuMeter
from bench.report import console
from engagement_client.purchases import record_purchase
from fasttrack.contract import message_delivery_id_for
from fasttrack.models import Action, ActionReceipt, Phase, RemediationItemDone
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from simulation.demo import Customer, completes
from simulation.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope
from workflows.engagement import EngagementWorkflow


@dataclass
class Run:
    """What one batch of workflows took: its wall time, workflow tasks, and the latency of each timed update."""

    seconds: float
    workflow_tasks: int
    latencies: list[float]
    histories: list[WorkflowHistory]
    stuck: int = 0  # engagements whose workflow task failed and could not go on
    delivery_tasks: int = 0  # tasks of the workflows delivering closed engagements' last messages, within the run
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of each process over the run

    @property
    def all_workflow_tasks(self) -> int:
        return self.workflow_tasks + self.delivery_tasks

    @property
    def tasks_per_second(self) -> float:
        return self.all_workflow_tasks / self.seconds

    def cpu_per_task(self, process: str) -> float:
        """Milliseconds of ``process``'s CPU per workflow task."""
        return self.cpu[process] * 1000 / self.all_workflow_tasks


def combined(runs: list[Run]) -> Run:
    """Rounds of one kind, as one run: their time, tasks and CPU added up."""
    cpu: dict[str, float] = {}
    for run in runs:
        for process, seconds in run.cpu.items():
            cpu[process] = cpu.get(process, 0.0) + seconds
    return Run(sum(run.seconds for run in runs), sum(run.workflow_tasks for run in runs),
               [latency for run in runs for latency in run.latencies],
               [history for run in runs for history in run.histories], stuck=sum(run.stuck for run in runs),
               delivery_tasks=sum(run.delivery_tasks for run in runs), cpu=cpu)


class TimedCustomer(Customer):
    """The demo's simulated customer, timing how long a remediation item takes to record."""

    def __init__(self, *arguments, latencies: list[float]) -> None:
        super().__init__(*arguments)
        self.latencies = latencies

    def say(self, message: str) -> None:
        pass

    async def act(self, action: Action) -> ActionReceipt:
        started = time.perf_counter()
        receipt = await self.update(action)
        if isinstance(action, RemediationItemDone):
            self.latencies.append((time.perf_counter() - started) * 1000)
        return receipt


def count_events(histories: list[WorkflowHistory], event_type) -> int:
    return sum(1 for history in histories for event in history.events if event.event_type == event_type)


async def _run(workflows, handles: list, latencies: list[float], meter: CpuMeter | None,
               deliveries: Client | None = None) -> Run:
    """Runs the batch's coroutines together and reads what their workflows wrote (with
    ``deliveries``, the workflows delivering the engagements' last messages as well)."""
    cpu = meter.read() if meter else {}
    began = time.perf_counter()
    await asyncio.gather(*workflows)
    seconds = time.perf_counter() - began
    ended = datetime.now(timezone.utc)
    cpu = meter.since(cpu) if meter else {}
    histories = [await handle.fetch_history() for handle in handles]
    run = Run(seconds, count_events(histories, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), latencies, histories,
              cpu=cpu)
    if deliveries:
        run.delivery_tasks = sum([await _delivery_tasks(deliveries, history, ended) for history in histories])
    return run


async def _delivery_tasks(client: Client, history: WorkflowHistory, until: datetime) -> int:
    """Workflow tasks of the engagement's message delivery that completed by ``until``: the worker did them too."""
    first_run = history.events[0].workflow_execution_started_event_attributes.first_execution_run_id
    delivery = client.get_workflow_handle(message_delivery_id_for(history.workflow_id, first_run))
    try:
        delivered = await delivery.fetch_history()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:  # nothing was left to send at closing
            return 0
        raise
    return sum(1 for event in delivered.events if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
               and event.event_time.ToDatetime(timezone.utc) <= until)


async def engagements(client: Client, task_queue: str, count: int, concurrency: int,
                      meter: CpuMeter | None = None) -> Run:
    policy = BenefitPolicy.compressed(timedelta(seconds=1))
    gate, handles, stuck = asyncio.Semaphore(concurrency), [], []
    latencies: list[float] = []

    async def one(number: int) -> None:
        async with gate:
            purchase = make_purchase(datetime.now(timezone.utc), organization=f"Bench {number}")
            started = await record_purchase(client, purchase, task_queue, policy)
            customer = TimedCustomer(client, console, 0.0, f"bench-{number}", started.handle, "Bench admin",
                                     latencies=latencies)
            try:
                await completes(customer, reject_first=number % 4 == 0, language="en", project_manager="Pat Bench")
                await started.handle.result()
            except RPCError as failure:  # "Workflow Task in failed state": a finding, reported, not a crash
                console.print(f"  [red]engagement stuck[/red] ({started.handle.id}): {failure.message}")
                stuck.append(started.handle)
                await started.handle.terminate("benchmark: workflow task failed")
                return
            handles.append(started.handle)

    run = await _run([one(number) for number in range(count)], handles, latencies, meter, deliveries=client)
    run.stuck = len(stuck)
    return run


async def baseline(client: Client, count: int, concurrency: int, activities: int, updates: int,
                   upsert: bool = False, idle: bool = False, meter: CpuMeter | None = None,
                   commands: tuple[int, int] = (0, 0)) -> Run:
    """``idle``: each update waits, as on the engagements it is compared with, until the workflow is idle;
    ``commands``: the timers and search-attribute upserts each baseline workflow asks for."""
    assert commands[0] <= activities, "each watchdog timer runs beside one activity"
    gate, handles, latencies = asyncio.Semaphore(concurrency), [], []

    async def one(number: int) -> None:
        async with gate:
            handle = await client.start_workflow(
                BaselineWorkflow.run, args=[activities, updates, upsert, *commands], id=f"baseline-{uuid.uuid4()}",
                task_queue=BASELINE_TASK_QUEUE,
            )
            handles.append(handle)
            for step in range(updates):
                if idle:
                    await until_quiet(handle)
                began = time.perf_counter()
                await handle.execute_update(BaselineWorkflow.step, step)
                latencies.append((time.perf_counter() - began) * 1000)
            await handle.result()

    return await _run([one(number) for number in range(count)], handles, latencies, meter)


async def until_quiet(handle, timeout: float = 5.0) -> None:
    """Until the engagement has no workflow task and no activity pending: as a customer
    finds it who completes an item minutes or days after the last one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = (await handle.describe()).raw_description
        if not described.pending_activities and not described.HasField("pending_workflow_task"):
            return
        await asyncio.sleep(0.02)
    console.print(f"  [yellow]never idle within {timeout:.0f} s[/yellow] ({handle.id}); timed anyway")


QUIET_ITEMS = 6  # checklist items from gaps; the forest's level adds one


async def items_on_quiet_engagements(client: Client, task_queue: str, count: int, concurrency: int,
                                     items: int = QUIET_ITEMS) -> list[float]:
    """Latency of completing a checklist item on an engagement that is doing nothing else,
    ``count`` engagements with ``items`` items each, ``concurrency`` at a time."""
    gate, latencies = asyncio.Semaphore(concurrency), []
    gaps = dict(ENVIRONMENT_WITH_GAPS, gaps=[{"category": "dns", "description": f"Record {n}"} for n in range(items)])

    async def one() -> None:
        async with gate:
            started = await record_purchase(client, make_purchase(datetime.now(timezone.utc)), task_queue,
                                            BenefitPolicy(business_hours=None))
            customer = SimulatedCustomer(started.handle)
            try:
                await customer.until_phase(Phase.INITIATE)
                # A target date ahead: today in UTC is yesterday in Paris late in the UTC day.
                await customer.through_assess(make_scope(), make_environment(**gaps),
                                              datetime.now(timezone.utc).date() + timedelta(days=30))
                for item in (await customer.state()).checklist:
                    await until_quiet(started.handle)
                    began = time.perf_counter()
                    await started.handle.execute_update(EngagementWorkflow.complete_remediation_item,
                                                        RemediationItemDone(by=customer.admin, item_id=item.id))
                    latencies.append((time.perf_counter() - began) * 1000)
            except RPCError as failure:  # a workflow task failed: counted by the lifecycle runs, skipped here
                console.print(f"  [red]engagement not answering[/red] ({started.handle.id}): {failure.message}")
            await started.handle.terminate("benchmark finished")

    await asyncio.gather(*(one() for _ in range(count)))
    return latencies


def commands(run: Run, count: int) -> tuple[int, int]:
    """Timers and search-attribute upserts per engagement: what the baseline is asked for, to
    measure what those commands cost the server, apart from the engagement's own code."""
    timers = count_events(run.histories, EventType.EVENT_TYPE_TIMER_STARTED)
    upserts = count_events(run.histories, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
    return round(timers / count), round(upserts / count)


def shape(run: Run, count: int) -> tuple[int, int]:
    """Updates and activities per engagement: what the baseline is given to do."""
    updates = count_events(run.histories, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    activities = count_events(run.histories, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    return round(updates / count), round(activities / count)
