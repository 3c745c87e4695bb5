"""Whether the worker is taking in a workflow task's events ahead of the task itself.

A query that reaches an engagement while a workflow task waits for a worker is
answered, on a worker that still holds the engagement, by first taking in the
events that task brings (an activity's result, a timer fired): the code they wake
runs then, and what it issues goes out with the task. An update in that task runs
after it. Replayed later, the task's events and its update come in one activation,
and the SDK runs the update first: the commands no longer match, and the
engagement is stuck for good. What such an event wakes and must not run early
waits for its own task (the eligibility verdict: workflows/engagement.py).

Taken in ahead of its task: the workflow's time has not moved since the last task
began (an activation's time is its task's start), yet the history is longer.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow


class TaskClock:
    def __init__(self, enabled: bool) -> None:
        """``enabled``: the run took the change (workflows/patches.py); otherwise nothing waits."""
        self.enabled = enabled
        self._task_began: datetime | None = None
        self._task_length = 0

    def observe(self) -> bool:
        """Notes the task under way; a condition that never holds, checked at every
        activation (TaskClock.watch), so that no task goes unseen."""
        now = workflow.now()
        if now != self._task_began:
            self._task_began, self._task_length = now, workflow.info().get_current_history_length()
        return False

    async def watch(self) -> None:
        """Runs for the whole run, issuing nothing."""
        if self.enabled:
            await workflow.wait_condition(self.observe)

    def ahead_of_task(self) -> bool:
        if not self.enabled:
            return False
        self.observe()
        return workflow.now() == self._task_began and workflow.info().get_current_history_length() > self._task_length

    def in_own_task(self) -> bool:
        return not self.ahead_of_task()

    async def own_task(self) -> None:
        """Returns at once, or once the task whose events woke the caller has begun."""
        if self.ahead_of_task():
            taken_in_at = workflow.now()
            await workflow.wait_condition(lambda: workflow.now() != taken_in_at)
