"""The baseline: a workflow that takes the same number of updates and runs the
same number of activities as an engagement, with no logic of its own; and, asked
to, the same timers (each started beside an activity and cancelled when it
completes, as a message's watchdog is) and search-attribute upserts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from workflows import search_attributes as sa

BASELINE_TASK_QUEUE = "fasttrack-bench-baseline"


@activity.defn
async def do_nothing(number: int) -> int:
    return number


@workflow.defn
class BaselineWorkflow:
    def __init__(self) -> None:
        self.upsert_on_update = False
        self.updates = 0
        self.expected_updates = 0
        self.activities_done = 0

    @workflow.run
    async def run(self, activities: int, updates: int, upsert_on_update: bool = False, watchdogs: int = 0,
                  upserts: int = 0) -> int:
        self.expected_updates = updates
        self.upsert_on_update = upsert_on_update
        for number in range(activities):
            watchdog = asyncio.create_task(asyncio.sleep(86400)) if number < watchdogs else None
            await workflow.execute_activity(do_nothing, number, start_to_close_timeout=timedelta(seconds=10))
            self.activities_done += 1
            if watchdog:
                watchdog.cancel()
            if number < upserts:
                workflow.upsert_search_attributes([sa.OPEN_REMEDIATION_ITEMS.value_set(number)])
        await workflow.wait_condition(lambda: self.updates >= self.expected_updates)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.updates

    @workflow.update
    def step(self, number: int) -> int:
        self.updates += 1
        if self.upsert_on_update:  # what publishing one figure for operators costs, and nothing else
            workflow.upsert_search_attributes([sa.OPEN_REMEDIATION_ITEMS.value_set(self.updates)])
        return self.updates

    @step.validator
    def _validate_step(self, number: int) -> None:
        if number < 0:
            raise ValueError("negative")
