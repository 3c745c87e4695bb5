"""Waiting for an engagement's answer a bounded time, and saying why it did not come:
no worker polls its task queue, or the worker is busy, restarting or stopped."""

from __future__ import annotations

import asyncio

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError, WorkflowUpdateStage
from temporalio.service import RPCError

from engagement_client.errors import NoAnswer
from engagement_client.transient import riding_out
from fasttrack.engagement.catalogue import update_name_of
from fasttrack.models import Action, ActionReceipt


async def _workflow_pollers(client: Client, task_queue: str) -> int:
    described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    return len(described.pollers)


async def no_answer(client: Client, handle: WorkflowHandle, seconds: float, doing: str) -> NoAnswer:
    """Why the engagement did not answer: whether any worker polls its task queue."""
    task_queue = (await handle.describe()).raw_description.execution_config.task_queue.name
    try:
        pollers = await asyncio.wait_for(_workflow_pollers(client, task_queue), timeout=5)
    except (RPCError, asyncio.TimeoutError):
        pollers = None
    if pollers == 0:
        return NoAnswer(f"No worker polls task queue '{task_queue}', so engagement {handle.id} has not {doing}. "
                        "Start the worker (`make run` starts one), then run the command again.")
    return NoAnswer(f"Engagement {handle.id} did not answer within {seconds:.0f} s, so it has not {doing}: its "
                    f"worker (task queue '{task_queue}') is busy, restarting or stopped.")


async def updated(client: Client, handle: WorkflowHandle, action: Action, update_id: str | None,
                   answer_within: float | None) -> ActionReceipt:
    """``action`` through the update its catalogue row names."""
    update = update_name_of(action)
    if answer_within is None:
        return await handle.execute_update(update, action, id=update_id, result_type=ActionReceipt)
    try:
        async with asyncio.timeout(answer_within):  # blips ridden out with the same id: applied once
            accepted = await riding_out(lambda: handle.start_update(update, action, id=update_id,
                                                                    wait_for_stage=WorkflowUpdateStage.ACCEPTED,
                                                                    result_type=ActionReceipt))
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise await no_answer(client, handle, answer_within, "taken the action") from None
    try:
        async with asyncio.timeout(answer_within):
            return await accepted.result()
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise NoAnswer(f"Engagement {handle.id} accepted the action but did not finish it within "
                       f"{answer_within:.0f} s; it finishes when its worker runs (see `fasttrack status`).") from None
