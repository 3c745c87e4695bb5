"""The benefit register with the real dev server, on SQLite and on PostgreSQL:
R4 and a closed engagement's report outlive Temporal's retention, the same
ineligible order is recognised after its engagement closed, and two purchases
for one tenant at the same moment open one engagement."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.service import RPCError, RPCStatusCode

from engagement_client.purchases import record_purchase
from fasttrack.errors import BenefitAlreadyUsed
from fasttrack.models import Phase, Withdrawal
from fasttrack.policy import BenefitPolicy
from register import Register
from register.store import default_url
from tests.support.scenario import CUSTOMER, make_purchase, running_worker, wait_for_phase
from tests.support.workflow_checks import eventually
from workflows.engagement import EngagementWorkflow

FASTTRACK = [str(Path(sys.executable).parent / "fasttrack")]


async def runs_of(client, engagement_id: str) -> int:
    return len([execution async for execution in client.list_workflows(f"WorkflowId = '{engagement_id}'")])


async def deleted(client, handle) -> None:
    """What Temporal's retention does to a closed engagement, now."""
    await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
        namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=handle.id)))

    async def gone():
        try:
            await handle.describe()
        except RPCError as error:
            return error.status == RPCStatusCode.NOT_FOUND
        return False

    await eventually(gone, 90, "the workflow was not deleted")


async def test_r4_and_the_report_outlive_a_deleted_workflow_on_sqlite_and_postgresql(
    dev_server_env, task_queue, tmp_path, mail_sink, postgres_database_url
):
    # The server deletes a workflow some 30 s after it is asked to: both databases at once.
    await asyncio.gather(
        r4_and_report_outlive_deletion(dev_server_env.client, f"{task_queue}-sqlite", tmp_path / "sqlite",
                                       mail_sink, default_url(tmp_path / "sqlite")),
        r4_and_report_outlive_deletion(dev_server_env.client, f"{task_queue}-postgresql", tmp_path / "postgresql",
                                       mail_sink, postgres_database_url),
    )


async def r4_and_report_outlive_deletion(client, task_queue, data_dir, mail_sink, database_url):
    register = Register(database_url)
    async with running_worker(client, task_queue, mail_sink, data_dir, register=register):
        purchase = make_purchase(datetime.now(timezone.utc), organization="Retention Test")
        started = await record_purchase(client, purchase, task_queue, BenefitPolicy(business_hours=None), register)
        await wait_for_phase(started.handle, Phase.INITIATE)
        await started.handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="Postponed"))
        result = await started.handle.result()
    await deleted(client, started.handle)

    another = make_purchase(datetime.now(timezone.utc), tenant_id=purchase.tenant_id, order_id="ORD-after")
    with pytest.raises(BenefitAlreadyUsed) as refused:
        await record_purchase(client, another, task_queue, register=register)
    assert f"closed as withdrawn on {result.outcome.at:%Y-%m-%d}" in str(refused.value)
    assert await runs_of(client, started.handle.id) == 0  # nothing started

    env = {**os.environ, "FASTTRACK_TEMPORAL_ADDRESS": client.service_client.config.target_host,
           "FASTTRACK_DATABASE_URL": database_url, "COLUMNS": "200"}

    async def fasttrack(*arguments: str) -> subprocess.CompletedProcess:
        return await asyncio.to_thread(subprocess.run, [*FASTTRACK, *arguments], env=env, capture_output=True,
                                       text=True, timeout=60)

    report = await fasttrack("report", purchase.tenant_id)
    assert report.returncode == 0, report.stderr
    assert "Retention Test" in report.stdout and "withdrawn" in report.stdout.lower()
    timeline = await fasttrack("timeline", purchase.tenant_id, "--json")
    assert timeline.returncode == 0 and '"withdrawn"' in timeline.stdout
    action = await fasttrack("contact", purchase.tenant_id, "--by", "Ana")
    assert action.returncode != 0 and "closed as withdrawn" in action.stderr


async def test_the_same_ineligible_order_after_closing_is_recognised_and_starts_nothing(
    dev_server_env, task_queue, tmp_path, mail_sink, database_url
):
    client, register = dev_server_env.client, Register(database_url)
    async with running_worker(client, task_queue, mail_sink, tmp_path, register=register):
        purchase = make_purchase(datetime.now(timezone.utc), licenses=100)  # too few licenses
        started = await record_purchase(client, purchase, task_queue, register=register)
        assert (await started.handle.result()).outcome.status is Phase.INELIGIBLE
        again = await record_purchase(client, purchase, task_queue, register=register)
        assert not again.created and "already recorded" in again.message
        assert await runs_of(client, started.handle.id) == 1
        bigger = make_purchase(datetime.now(timezone.utc), tenant_id=purchase.tenant_id, order_id="ORD-250")
        restarted = await record_purchase(client, bigger, task_queue, register=register)
        assert restarted.created
        await wait_for_phase(restarted.handle, Phase.INITIATE)
        assert await runs_of(client, started.handle.id) == 2
        await restarted.handle.terminate("test finished")


async def test_two_purchases_for_one_tenant_at_the_same_moment_open_one_engagement(
    dev_server_env, task_queue, tmp_path, mail_sink, database_url
):
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path, register=Register(database_url)):
        first = make_purchase(datetime.now(timezone.utc))
        second = make_purchase(first.purchased_at, tenant_id=first.tenant_id, order_id="ORD-same-moment")
        # Two clients, each with its own connection to the register, as two commerce events would be.
        outcomes = await asyncio.gather(*(
            record_purchase(client, purchase, task_queue, register=Register(database_url))
            for purchase in (first, second)
        ))
        assert sorted(outcome.created for outcome in outcomes) == [False, True]
        handle = outcomes[0].handle
        state = await wait_for_phase(handle, Phase.INITIATE)
        assert await runs_of(client, handle.id) == 1
        orders = {state.purchase.order_id, *state.additional_purchases}

        async def both_recorded():
            state = await handle.query(EngagementWorkflow.state)
            return {state.purchase.order_id, *state.additional_purchases} == {first.order_id, second.order_id}

        await eventually(both_recorded, 10, f"the other order was not attached ({orders})")
        await handle.terminate("test finished")


async def test_engagements_from_before_the_register_are_adopted_when_their_tenant_orders_again(
    dev_server_env, task_queue, tmp_path, mail_sink, database_url
):
    """A register that knows nothing of a tenant (as on the day it is deployed) finds
    the tenant's engagement in Temporal and records it before deciding: a closed one
    refuses the order, an open one takes it."""
    client = dev_server_env.client
    earlier, register = Register(default_url(tmp_path / "earlier")), Register(database_url)
    async with running_worker(client, task_queue, mail_sink, tmp_path, register=earlier):
        closed = make_purchase(datetime.now(timezone.utc))
        started = await record_purchase(client, closed, task_queue, BenefitPolicy(business_hours=None), earlier)
        await wait_for_phase(started.handle, Phase.INITIATE)
        await started.handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="Postponed"))
        await started.handle.result()
        running = await record_purchase(client, make_purchase(datetime.now(timezone.utc)), task_queue,
                                        register=earlier)
        await wait_for_phase(running.handle, Phase.INITIATE)

        late = make_purchase(datetime.now(timezone.utc), tenant_id=closed.tenant_id, order_id="ORD-late")
        with pytest.raises(BenefitAlreadyUsed, match="closed as withdrawn"):
            await record_purchase(client, late, task_queue, register=register)
        assert await runs_of(client, started.handle.id) == 1  # nothing started
        withdrawn = register.latest(started.handle.id)
        assert withdrawn is not None and withdrawn.outcome is not None and withdrawn.outcome.status is Phase.WITHDRAWN

        tenant = running.handle.id.removeprefix("fasttrack-intune-")
        more = make_purchase(datetime.now(timezone.utc), tenant_id=tenant, order_id="ORD-more")
        attached = await record_purchase(client, more, task_queue, register=register)
        assert not attached.created and "attached" in attached.message
        assert await runs_of(client, running.handle.id) == 1
        attached_to = register.latest(running.handle.id)
        assert attached_to is not None and attached_to.first_run_id is not None
        await running.handle.terminate("test finished")
