"""Checks on a running workflow shared by the workflow and integration tiers."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import FailureError

from tests.support.scenario import state_of


async def eventually(check, seconds: float, what: str):
    """What ``check`` returns once it returns something, polled for up to ``seconds``."""
    for _ in range(int(seconds / 0.2)):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(what)


async def stop_if_running(handle: WorkflowHandle) -> None:
    """A workflow left open without its worker would hold back the shared
    time-skipping clock for every later test; so would one terminated while its
    worker still runs an activity for it: let the activities finish first."""
    if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
        await settle(handle)
        await handle.terminate("test finished")


async def settle(handle: WorkflowHandle) -> int:
    """Waits until the workflow has nothing in flight; returns its history length."""
    previous = -1
    for _ in range(200):
        description = await handle.describe()
        length = len((await handle.fetch_history()).events)
        if not description.raw_description.pending_activities and length == previous:
            return length
        previous = length
        await asyncio.sleep(0.05)
    raise AssertionError("workflow did not settle")


WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


async def assert_rejected(handle: WorkflowHandle, update, action, *fragments: str, strict_history=False) -> str:
    """The update is refused with a readable reason, and the state does not change.

    The history gains no event of the update. The real server runs a rejected
    update's validator on a speculative workflow task and keeps nothing
    (``strict_history``); the time-skipping test server still records that
    workflow task, so there only workflow-task events may appear.
    """
    events_before = await settle(handle)
    state_before = await state_of(handle)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(update, action)
    message = str(cast(FailureError, caught.value.cause).message)
    for fragment in fragments:
        assert fragment in message, message
    assert await state_of(handle) == state_before
    new_events = [event.event_type for event in (await handle.fetch_history()).events[events_before:]]
    if strict_history:
        assert new_events == []
    else:
        assert set(new_events) <= WORKFLOW_TASK_EVENTS, new_events
    return message
