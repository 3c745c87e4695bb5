"""`fasttrack changes` counts the engagement runs Temporal keeps that started before
each change took effect, on a real server's visibility (cli/changes.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from cli.changes import changes_in_use, runs_started_before
from tests.support.workflow_checks import eventually
from workflows.patches import CHANGES


async def test_a_run_counts_for_the_days_it_started_before_closed_or_open(dev_server_env):
    client = dev_server_env.client
    handle = await client.start_workflow("EngagementWorkflow", id=f"changes-{uuid.uuid4()}",
                                         task_queue=f"nobody-polls-{uuid.uuid4()}")  # open, never run
    started = (await handle.describe()).start_time
    ours = f" AND WorkflowId = '{handle.id}'"

    async def counted(day) -> int:
        return (await client.count_workflows(runs_started_before(day) + ours)).count

    await eventually(lambda: _equals(counted(started.date()), 1), 30, "the open run is not counted on its day")
    assert await counted(started.date() - timedelta(days=1)) == 0  # it started after that day's end
    await handle.terminate("closed, and still kept: a query would still replay it")
    await eventually(lambda: _closed(client, handle.id), 30, "the run never showed as closed")
    assert await counted(started.date()) == 1


async def test_every_change_is_counted_from_the_day_it_took_effect(dev_server_env):
    client = dev_server_env.client
    last = CHANGES[-1]
    handle = await client.start_workflow("EngagementWorkflow", id=f"changes-{uuid.uuid4()}",
                                         task_queue=f"nobody-polls-{uuid.uuid4()}")
    try:
        started_day = (await handle.describe()).start_time.date()
        later = max(started_day, last.added) + timedelta(days=1)

        async def ours_counted() -> bool:
            rows = await changes_in_use(client, {last.name: later})
            return rows[-1].runs_started_before >= 1 and rows[-1].took_effect == later

        await eventually(ours_counted, 30, "a run started before the day the change took effect is not counted")
        rows = await changes_in_use(client, {last.name: later})
        assert [row.name for row in rows] == [change.name for change in CHANGES]
        assert [row.query for row in rows] == [runs_started_before(row.took_effect) for row in rows]
        assert all(row.took_effect == change.added for row, change in zip(rows[:-1], CHANGES[:-1], strict=True))
    finally:
        await handle.terminate("test finished")


async def _equals(count, expected: int) -> bool:
    return await count == expected


async def _closed(client, workflow_id: str) -> bool:
    return (await client.count_workflows(f"WorkflowId = '{workflow_id}' AND ExecutionStatus = 'Terminated'")).count == 1
