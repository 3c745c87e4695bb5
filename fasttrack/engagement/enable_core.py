"""Enable — core capabilities: Enable tasks, in both stages; the last core task starts Enable — Intune."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import ORCHESTRATOR, EngagementParts, day, enter, open_tasks, record, with_note
from fasttrack.engagement.enable_intune import intune_enabled
from fasttrack.errors import ActionRejected
from fasttrack.models import ItemStatus, Phase, TaskDone, TaskNeeds, TaskStage
from fasttrack.models.actions import ActionEvent
from fasttrack.rules import intune_tasks


def check_task(engagement: EngagementParts, action: TaskDone, now: datetime) -> None:
    state = engagement.state
    task = next((task for task in state.tasks if task.id == action.task_id), None)
    if task is None:
        if action.task_id.startswith(f"{TaskStage.INTUNE.value}.") and state.phase is Phase.ENABLE_CORE:
            raise ActionRejected(
                f"Task '{action.task_id}' belongs to Enable — Intune, which begins only once the core "
                "capabilities are enabled."
            )
        known = ", ".join(task.id for task in open_tasks(engagement))
        raise ActionRejected(f"There is no task '{action.task_id}' in this engagement (open tasks: {known}).")
    if task.status is ItemStatus.DONE:
        on = f" (on {day(task.done_at)})" if task.done_at else ""
        raise ActionRejected(f"Task '{task.id}' is already done{on}.")
    if task.needs is TaskNeeds.TEST_DEVICE and not state.test_devices:
        raise ActionRejected(f"Task '{task.id}' needs at least one enrolled test device; enroll one first.")
    if task.needs is TaskNeeds.APP and not state.apps:
        raise ActionRejected(f"Task '{task.id}' needs at least one selected app; select one first.")


def apply_task(engagement: EngagementParts, action: TaskDone, now: datetime) -> str:
    """The last task of the core stage leads to the Intune stage; the last of that one completes the engagement."""
    state = engagement.state
    task = next(task for task in state.tasks if task.id == action.task_id)
    task.status, task.done_at, task.done_by = ItemStatus.DONE, now, action.by
    record(engagement, now, ActionEvent.TASK_DONE, action.by, with_note(f"[{task.id}] {task.title}", action.note))
    remaining = len(open_tasks(engagement))
    if remaining:
        return f"Task '{task.id}' done; {remaining} task(s) left in this stage."
    if state.phase is Phase.ENABLE_CORE:
        return _core_enabled(engagement, now)
    return intune_enabled(engagement, now)


def _core_enabled(engagement: EngagementParts, now: datetime) -> str:
    state = engagement.state
    assert state.scope is not None
    record(engagement, now, Event.CORE_ENABLED, ORCHESTRATOR, "Core capabilities enabled.")
    new_tasks = intune_tasks(state.scope)
    state.tasks += new_tasks
    enter(engagement, Phase.ENABLE_INTUNE, now)
    return f"Core capabilities enabled; Enable — Intune starts with {len(new_tasks)} task(s)."
