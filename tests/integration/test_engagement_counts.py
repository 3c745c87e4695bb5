"""The worker's engagement counts on the real dev server's visibility: an engagement
whose history continued as new is still one engagement."""

from __future__ import annotations

import uuid

from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from tests.support.workflow_checks import eventually
from workers.observability import EngagementGauges
from workflows import search_attributes as sa


@workflow.defn(name="EngagementWorkflow")
class ContinuingEngagement:
    """Stands in for a long engagement: in Remediate, two fresh histories so far."""

    @workflow.run
    async def run(self, fresh_histories_left: int) -> None:
        workflow.upsert_search_attributes([sa.PHASE.value_set("remediate")])
        if fresh_histories_left:
            workflow.continue_as_new(fresh_histories_left - 1)
        await workflow.wait_condition(lambda: False)


async def test_an_engagement_that_continued_as_new_is_counted_once(dev_server_env):
    client, queue = dev_server_env.client, f"counts-{uuid.uuid4()}"
    gauges = EngagementGauges()
    await gauges.refresh(client)
    before = gauges.by_phase["remediate"]
    # Unsandboxed: this module imports the worker's HTTP side, which a sandbox would re-import.
    async with Worker(client, task_queue=queue, workflows=[ContinuingEngagement],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await client.start_workflow("EngagementWorkflow", 2, id=f"counts-{uuid.uuid4()}", task_queue=queue)

        async def three_runs_visible():
            runs = (await client.count_workflows(f'WorkflowId = "{handle.id}"')).count
            running = (await client.count_workflows(f'WorkflowId = "{handle.id}" AND ExecutionStatus = "Running" '
                                                    f'AND {sa.PHASE.name} = "remediate"')).count
            return runs == 3 and running == 1

        await eventually(three_runs_visible, 30, "the three runs never showed in visibility")
        await gauges.refresh(client)
        assert gauges.visibility_up == 1
        assert gauges.by_phase["remediate"] == before + 1
        await handle.terminate("test finished")
