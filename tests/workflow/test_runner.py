"""The shipped runner (workers/runner.py) passes every module through the sandbox and
compiles the sandbox's calls once. Workflows still run, replay and keep their own
state; the corpus replays with it (tests/workflow/test_replay.py)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.worker import Worker

from workers import runner
from workers.runner import workflow_runner


@workflow.defn
class CountsToThree:
    def __init__(self) -> None:
        self.steps: list[int] = []

    @workflow.run
    async def run(self) -> list[int]:
        for step in range(3):
            await workflow.sleep(timedelta(seconds=1))
            self.steps.append(step)
        return self.steps


async def test_workflows_run_replay_and_keep_their_own_state(time_skipping_env):
    client = time_skipping_env.client
    queue = f"runner-{uuid.uuid4()}"
    hits = runner._compiled.cache_info().hits
    async with Worker(client, task_queue=queue, workflows=[CountsToThree], workflow_runner=workflow_runner(),
                      max_cached_workflows=0):  # every task replays the history from its start
        handles = [await client.start_workflow(CountsToThree.run, id=f"count-{uuid.uuid4()}", task_queue=queue)
                   for _ in range(3)]
        results = [await asyncio.wait_for(handle.result(), 60) for handle in handles]
    assert results == [[0, 1, 2]] * 3
    assert runner._compiled.cache_info().hits > hits  # the sandbox's calls went through the compiled code
