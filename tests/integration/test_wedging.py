"""Inputs that used to wedge a year-long engagement now end in a refusal, and the
engagement stays healthy: it answers queries, takes actions and expires on time.
On the real dev server, with a compressed year."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import cast

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import FailureError
from temporalio.service import RetryConfig, RPCError

from engagement_client.purchases import record_purchase
from fasttrack.engagement.budget import STATE_BUDGET
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from tests.support.encryption import encrypted_converter
from tests.support.scenario import make_environment, make_purchase, make_scope, running_worker, state_of
from workflows.engagement import EngagementWorkflow

DAY = timedelta(seconds=0.1)  # the onboarding window lasts 36.5 s: room for 250 updates on a busy machine
LONG = "Ä" * 2000


async def test_oversized_inputs_are_refused_and_the_engagement_lives_on_to_its_expiry(
    dev_server_env, task_queue, tmp_path, mail_sink
):
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(datetime.now(timezone.utc))
        started = await record_purchase(client, purchase, task_queue, BenefitPolicy.compressed(DAY))
        handle, customer = started.handle, SimulatedCustomer(started.handle)
        await customer.until_phase(Phase.INITIATE)
        await customer.send_raw("record_contact", {"by": "Ana"})
        # In UTC: a compressed year ends the day it starts, and a plan's target date must lie between the
        # customer's today and the window's last day (a UTC date), which east of UTC late in the UTC day no date does.
        scope = make_scope(time_zone="UTC").model_dump(mode="json")
        await customer.send_raw("hold_kickoff", {"by": "Ana", "scope": scope})

        # An environment at the models' own limits (about 1.6 MB): refused, nothing recorded.
        gaps = [{"category": "dns", "description": f"{n} {LONG}"[:2000]} for n in range(200)]
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("submit_environment", {"by": "Sam", "environment": {"gaps": gaps}})
        assert "an action carries at most 64 KiB" in cast(FailureError, refused.value.cause).message

        # Raw updates no model would accept, sent straight to the server: refused, nothing recorded.
        with pytest.raises(WorkflowUpdateFailedError) as refused:  # under the server's 1 MiB: our own sentence
            await handle.execute_update("hold_checkpoint", {"by": "Ana", "note": "x" * 700_000})
        assert "note: String should have at most 2000 characters" in cast(FailureError, refused.value.cause).message
        # Over it: the server refuses the request on arrival (deploy/temporal/dynamicconfig.yaml).
        # It used to reach the worker, whose refusal echoes it: over 1 MiB, a refusal in a task
        # that also carried other work made the server terminate the engagement.
        # Sent without the client's retries, which take a refusal of this kind as "try later".
        raw = await Client.connect(client.service_client.config.target_host, namespace=client.namespace,
                                   data_converter=encrypted_converter(),
                                   retry_config=RetryConfig(max_retries=1, max_elapsed_time_millis=500))
        for size in (1_000_000, 1_500_000, 2_500_000):
            with pytest.raises(RPCError, match="limit on total payload size of in-flight updates"):
                await raw.get_workflow_handle(handle.id).execute_update("hold_checkpoint",
                                                                        {"by": "Ana", "note": "x" * size})
        assert (await state_of(handle)).checkpoints_held == 0

        # A few hundred checkpoints with the longest notes: accepted, the record stays small.
        environment = make_environment(gaps=[{"category": "dns", "description": "CNAME"}]).model_dump(mode="json")
        await customer.send_raw("submit_environment", {"by": "Sam", "environment": environment})
        await customer.send_raw("agree_plan", {"by": "Ana", "target_date": date.today().isoformat()})
        for number in range(250):
            note = f"{number} {LONG}"[:2000]
            await handle.execute_update(EngagementWorkflow.hold_checkpoint, {"by": "Ana", "note": note})
        state = await state_of(handle)  # still answers
        assert state.checkpoints_held == 250 and state.timeline_folded > 0
        assert len(state.model_dump_json().encode()) < STATE_BUDGET

        result = await handle.result()  # and still expires, on time
    assert result.outcome.status is Phase.EXPIRED
    assert abs(result.outcome.at - state.onboarding_deadline) < timedelta(seconds=5)

