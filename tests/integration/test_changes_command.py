"""`fasttrack changes` counts the open engagements whose run started before each
change, on a real server's visibility (cli/changes.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from cli.changes import changes_in_use, runs_started_before
from tests.support.workflow_checks import eventually
from workflows.patches import CHANGES


async def test_a_run_counts_for_the_days_it_started_before_and_not_after(dev_server_env):
    client = dev_server_env.client
    handle = await client.start_workflow("EngagementWorkflow", id=f"changes-{uuid.uuid4()}",
                                         task_queue=f"nobody-polls-{uuid.uuid4()}")  # open, never run
    started = (await handle.describe()).start_time
    ours = f" AND WorkflowId = '{handle.id}'"
    try:
        async def counted(day) -> int:
            return (await client.count_workflows(runs_started_before(day) + ours)).count

        await eventually(lambda: _equals(counted(started.date()), 1), 30, "the run is not counted on its own day")
        assert await counted(started.date() - timedelta(days=1)) == 0  # started after that day's end

        rows = await changes_in_use(client)
        assert [row.name for row in rows] == [change.name for change in CHANGES]
        assert all(row.query == runs_started_before(row.added) and row.open_runs_started_before >= 0 for row in rows)
    finally:
        await handle.terminate("test finished")


async def _equals(count, expected: int) -> bool:
    return await count == expected
