"""A query that makes the worker take in its workflow's next events ahead of their
task, staged on purpose (workers/task_clock_guard.py says why it matters).

The staging, on a real dev server: a worker with a cache of one and a single
sticky poll that the test opens and closes.
1. The workflow waits for an activity the test completes by hand; it has
   finished its task, so a query sent now goes straight to the worker's queue.
2. The sticky poll is closed, and one task of another workflow takes the last
   poll that was out and evicts the workflow from the cache.
3. The query is sent and waits at the server; the activity is completed.
4. The poll opens. It takes the query; the worker, which no longer holds the
   workflow, reads its whole history, now with the activity's result in it,
   and (without the guard) runs the code the result wakes at the time of the
   task before.

The workflow then takes a time-dependent branch: a timer when the result came
within ``QUICK`` of the task that started the activity, another activity
otherwise. The test completes the activity later than that, so a worker that runs
the code at the result's own task takes the activity branch, and a replay does
the same. A worker that runs it at the task before takes the timer branch, and
its history no longer replays.

A stage can miss when the query reaches the server after the activity's result (a
busy machine): it is then answered as usual, and the test stages again with a
longer wait."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.worker import (
    CustomSlotSupplier,
    FixedSizeSlotSupplier,
    Replayer,
    SlotPermit,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkerTuner,
    WorkflowRunner,
)
from temporalio.workflow import NondeterminismError

from engagement_client.query_retry import EARLY_EVENTS_REFUSAL
from workers.task_clock_guard import TaskClockGuardedRunner

QUICK = timedelta(milliseconds=200)
STAGE_WAITS = (0.3, 0.6, 1.2, 2.4, 4.8)  # how long the query gets to reach the server, per stage

held_tokens: dict[str | None, bytes] = {}


@activity.defn
async def held_result() -> None:
    held_tokens[activity.info().workflow_id] = activity.info().task_token
    activity.raise_complete_async()


@activity.defn
async def slow_branch() -> None:
    return None


@workflow.defn
class BranchOnResultTime:
    def __init__(self) -> None:
        self.branch: str | None = None

    @workflow.run
    async def run(self) -> str:
        began = workflow.now()
        await workflow.execute_activity(held_result, start_to_close_timeout=timedelta(minutes=2))
        if workflow.now() - began < QUICK:
            self.branch = "timer"
            await workflow.sleep(0.01)
        else:
            self.branch = "activity"
            await workflow.execute_activity(slow_branch, start_to_close_timeout=timedelta(seconds=30))
        return self.branch

    @workflow.query
    def branch_taken(self) -> str | None:
        return self.branch


@workflow.defn
class Evictor:
    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update
    def take_the_poll(self) -> None:
        return None


class StickyOrNot(SlotPermit):
    def __init__(self, sticky: bool) -> None:
        self.sticky = sticky


class GatedStickyPoll(CustomSlotSupplier):
    """One sticky poll at a time, and none while the gate is closed; the polls of
    the shared queue are not held back."""

    def __init__(self) -> None:
        self._one_at_a_time = asyncio.Semaphore(1)
        self._open = asyncio.Event()
        self._open.set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    async def reserve_slot(self, ctx) -> SlotPermit:
        permit = StickyOrNot(ctx.is_sticky)
        if ctx.is_sticky:
            self._loop = asyncio.get_running_loop()
            await self._open.wait()
            await self._one_at_a_time.acquire()
        return permit

    def try_reserve_slot(self, ctx) -> SlotPermit | None:
        return None

    def mark_slot_used(self, ctx) -> None:
        pass

    def release_slot(self, ctx) -> None:
        if ctx.permit.sticky:
            assert self._loop is not None  # set by the sticky poll's reserve_slot
            self._loop.call_soon_threadsafe(self._one_at_a_time.release)


def staging_worker(client: Client, task_queue: str, runner: WorkflowRunner, gate: GatedStickyPoll) -> Worker:
    tuner = WorkerTuner.create_composite(
        workflow_supplier=gate, activity_supplier=FixedSizeSlotSupplier(10),
        local_activity_supplier=FixedSizeSlotSupplier(2), nexus_supplier=FixedSizeSlotSupplier(2))
    return Worker(client, task_queue=task_queue, workflows=[BranchOnResultTime, Evictor],
                  activities=[held_result, slow_branch], workflow_runner=runner, tuner=tuner,
                  max_cached_workflows=1)


async def stage(client: Client, task_queue: str, gate: GatedStickyPoll, evictor: WorkflowHandle,
                wait: float) -> tuple[str, WorkflowHandle]:
    """One staging; returns what the query got ("refused", or the branch it saw) and the workflow."""
    workflow_id = f"early-events-{uuid.uuid4()}"
    handle = await client.start_workflow(BranchOnResultTime.run, id=workflow_id, task_queue=task_queue)
    while workflow_id not in held_tokens:
        await asyncio.sleep(0.02)
    gate.close()
    await evictor.execute_update(Evictor.take_the_poll)
    query = asyncio.create_task(handle.query(BranchOnResultTime.branch_taken))
    await asyncio.sleep(max(wait, QUICK.total_seconds()))  # the query reaches the server, QUICK passes
    await client.get_async_activity_handle(task_token=held_tokens[workflow_id]).complete(None)
    gate.open()
    try:
        return str(await query), handle
    except WorkflowQueryFailedError as failure:
        assert EARLY_EVENTS_REFUSAL in str(failure), failure
        return "refused", handle


async def staged(client: Client, runner: WorkflowRunner) -> tuple[str, WorkflowHandle]:
    """Stages until the query reaches the server ahead of the activity's result."""
    task_queue = f"fasttrack-early-events-{uuid.uuid4()}"
    gate = GatedStickyPoll()
    async with staging_worker(client, task_queue, runner, gate):
        evictor = await client.start_workflow(Evictor.run, id=f"evictor-{uuid.uuid4()}", task_queue=task_queue)
        await evictor.execute_update(Evictor.take_the_poll)  # its first task is behind it
        try:
            for wait in STAGE_WAITS:
                seen, handle = await stage(client, task_queue, gate, evictor, wait)
                if seen != "activity":  # "activity": the query came after the result, answered as usual
                    await handle.result()
                    return seen, handle
            pytest.fail(f"the query never reached the server ahead of the activity's result in {len(STAGE_WAITS)} stages")
        finally:
            await evictor.terminate("test finished")


async def replays(handle: WorkflowHandle) -> None:
    history = await handle.fetch_history()
    await Replayer(workflows=[BranchOnResultTime], workflow_runner=UnsandboxedWorkflowRunner()).replay_workflow(history)


@pytest.fixture
def plain_client(dev_server_env) -> Client:
    """No query retry: the test reads the guard's refusal itself."""
    return Client(dev_server_env.client.service_client, namespace=dev_server_env.client.namespace)


async def test_the_guarded_worker_refuses_the_early_events_and_the_history_replays(plain_client):
    seen, handle = await staged(plain_client, TaskClockGuardedRunner(UnsandboxedWorkflowRunner()))

    assert seen == "refused"
    assert await handle.result() == "activity"  # the code ran at the result's own task
    await replays(handle)


async def test_without_the_guard_the_stage_makes_a_history_that_does_not_replay(plain_client):
    """The control: the stage does reproduce the fault the guard is for."""
    seen, handle = await staged(plain_client, UnsandboxedWorkflowRunner())

    assert seen == "timer"  # the code the result woke ran at the task before
    with pytest.raises(NondeterminismError):
        await replays(handle)
