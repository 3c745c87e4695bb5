"""Engagements driven through their whole lifecycle, as the demo's customer drives
them, on a given task queue; and the baseline, which takes the same number of
updates and activities with no logic of its own."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow
from bench.report import console
from cli.demo import Customer, completes
from fasttrack.models import ActionReceipt, RemediationItemDone
from fasttrack.policy import BenefitPolicy
from simulation.scenario import make_purchase
from workers.client import record_purchase


@dataclass
class Run:
    """What one batch of workflows took: its wall time, workflow tasks, and the latency of each timed update."""

    seconds: float
    workflow_tasks: int
    latencies: list[float]
    histories: list[WorkflowHistory]

    @property
    def tasks_per_second(self) -> float:
        return self.workflow_tasks / self.seconds


class TimedCustomer(Customer):
    """The demo's simulated customer, timing how long a remediation item takes to record."""

    def __init__(self, *arguments, latencies: list[float]) -> None:
        super().__init__(*arguments)
        self.latencies = latencies

    def say(self, message: str) -> None:
        pass

    async def act(self, update, action) -> ActionReceipt:
        started = time.perf_counter()
        receipt = await self.handle.execute_update(update, action)
        if isinstance(action, RemediationItemDone):
            self.latencies.append((time.perf_counter() - started) * 1000)
        return receipt


def count_events(histories: list[WorkflowHistory], event_type) -> int:
    return sum(1 for history in histories for event in history.events if event.event_type == event_type)


async def engagements(client: Client, task_queue: str, count: int, concurrency: int) -> Run:
    policy = BenefitPolicy.compressed(timedelta(seconds=1))
    gate, handles, latencies = asyncio.Semaphore(concurrency), [], []

    async def one(number: int) -> None:
        async with gate:
            purchase = make_purchase(datetime.now(timezone.utc), organization=f"Bench {number}")
            started = await record_purchase(client, purchase, task_queue, policy)
            handles.append(started.handle)
            customer = TimedCustomer(client, console, 0.0, f"bench-{number}", started.handle, "Bench admin",
                                     latencies=latencies)
            await completes(customer, reject_first=number % 4 == 0, language="en", project_manager="Pat Bench")
            await started.handle.result()

    began = time.perf_counter()
    await asyncio.gather(*(one(number) for number in range(count)))
    seconds = time.perf_counter() - began
    histories = [await handle.fetch_history() for handle in handles]
    return Run(seconds, count_events(histories, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), latencies, histories)


async def baseline(client: Client, count: int, concurrency: int, activities: int, updates: int,
                   upsert: bool = False) -> Run:
    gate, handles, latencies = asyncio.Semaphore(concurrency), [], []

    async def one(number: int) -> None:
        async with gate:
            handle = await client.start_workflow(
                BaselineWorkflow.run, args=[activities, updates, upsert], id=f"baseline-{uuid.uuid4()}",
                task_queue=BASELINE_TASK_QUEUE,
            )
            handles.append(handle)
            for step in range(updates):
                began = time.perf_counter()
                await handle.execute_update(BaselineWorkflow.step, step)
                latencies.append((time.perf_counter() - began) * 1000)
            await handle.result()

    began = time.perf_counter()
    await asyncio.gather(*(one(number) for number in range(count)))
    seconds = time.perf_counter() - began
    histories = [await handle.fetch_history() for handle in handles]
    return Run(seconds, count_events(histories, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), latencies, histories)


def shape(run: Run, count: int) -> tuple[int, int]:
    """Updates and activities per engagement: what the baseline is given to do."""
    updates = count_events(run.histories, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    activities = count_events(run.histories, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    return round(updates / count), round(activities / count)
