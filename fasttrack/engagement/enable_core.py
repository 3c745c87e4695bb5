"""Enable — core capabilities: the core tasks, then the move to Enable — Intune."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import ORCHESTRATOR, ActionRejected, EngagementCore, day
from fasttrack.models import ItemStatus, Phase, TaskDone, TaskNeeds, TaskStage
from fasttrack.rules import intune_tasks


class EnableCoreRules(EngagementCore):
    """Enable tasks, in both stages; the core stage leads to the Intune stage."""

    def _check_task(self, action: TaskDone, now: datetime) -> None:
        task = next((task for task in self.state.tasks if task.id == action.task_id), None)
        if task is None:
            if action.task_id.startswith(f"{TaskStage.INTUNE.value}.") and self.state.phase is Phase.ENABLE_CORE:
                raise ActionRejected(
                    f"Task '{action.task_id}' belongs to Enable — Intune, which begins only once the core "
                    "capabilities are enabled."
                )
            known = ", ".join(task.id for task in self._open_tasks())
            raise ActionRejected(f"There is no task '{action.task_id}' in this engagement (open tasks: {known}).")
        if task.status is ItemStatus.DONE:
            raise ActionRejected(f"Task '{task.id}' is already done (on {day(task.done_at)}).")
        if task.needs is TaskNeeds.TEST_DEVICE and not self.state.test_devices:
            raise ActionRejected(f"Task '{task.id}' needs at least one enrolled test device; enroll one first.")
        if task.needs is TaskNeeds.APP and not self.state.apps:
            raise ActionRejected(f"Task '{task.id}' needs at least one selected app; select one first.")

    def _apply_task(self, action: TaskDone, now: datetime) -> str:
        task = next(task for task in self.state.tasks if task.id == action.task_id)
        task.status, task.done_at, task.done_by = ItemStatus.DONE, now, action.by
        self._record(now, Event.TASK_DONE, action.by, f"[{task.id}] {task.title}")
        remaining = len(self._open_tasks())
        if remaining:
            return f"Task '{task.id}' done; {remaining} task(s) left in this stage."
        if self.state.phase is Phase.ENABLE_CORE:
            return self._core_enabled(now)
        return self._intune_enabled(now)

    def _core_enabled(self, now: datetime) -> str:
        assert self.state.scope is not None
        self._record(now, Event.CORE_ENABLED, ORCHESTRATOR, "Core capabilities enabled.")
        new_tasks = intune_tasks(self.state.scope)
        self.state.tasks += new_tasks
        self._enter(Phase.ENABLE_INTUNE, now)
        return f"Core capabilities enabled; Enable — Intune starts with {len(new_tasks)} task(s)."
