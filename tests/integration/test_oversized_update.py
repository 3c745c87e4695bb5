"""What an operator sees when an update is too large for the server (a raw environment
of 1.6 MB, over the 1 MiB request limit): the server refuses it on arrival, naming its
limit, and the engagement goes on untouched. Without the in-flight limit of
deploy/temporal/dynamicconfig.yaml the update reaches the worker, whose refusal echoes
it: the server fails that task, answers FAILED_PRECONDITION and terminates the
engagement. On the real dev server, with the deployment's limits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RetryConfig, RPCError, RPCStatusCode

from devstack.settings import SERVER_LIMITS_FILE
from engagement_client.purchases import record_purchase
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from tests.support.encryption import encrypted_converter
from tests.support.scenario import make_environment, make_purchase, make_scope, running_worker, state_of


async def test_an_oversized_update_is_refused_on_arrival_and_the_engagement_runs_on(
    dev_server_env, task_queue, tmp_path, mail_sink
):
    limit = yaml.safe_load(SERVER_LIMITS_FILE.read_text())["history.maxInFlightUpdatePayloads"][0]["value"]
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(datetime.now(timezone.utc))
        started = await record_purchase(client, purchase, task_queue, BenefitPolicy.compressed(timedelta(seconds=10)))
        handle, customer = started.handle, SimulatedCustomer(started.handle)
        await customer.until_phase(Phase.INITIATE)
        await customer.send_raw("record_contact", {"by": "Ana"})
        scope = make_scope(time_zone="UTC").model_dump(mode="json")
        await customer.send_raw("hold_kickoff", {"by": "Ana", "scope": scope})
        assert (await state_of(handle)).phase is Phase.ASSESS

        # As any client could send it, without the client's retries (which take this refusal as "try later").
        raw = await Client.connect(client.service_client.config.target_host, namespace=client.namespace,
                                   data_converter=encrypted_converter(),
                                   retry_config=RetryConfig(max_retries=1, max_elapsed_time_millis=500))
        gaps = [{"category": "dns", "description": "x" * 8000} for _ in range(200)]  # 1.6 MB
        with pytest.raises(RPCError) as refused:
            await raw.get_workflow_handle(handle.id).execute_update(
                "submit_environment", {"by": "Sam", "environment": {"gaps": gaps}})
        assert refused.value.status is RPCStatusCode.RESOURCE_EXHAUSTED
        assert f"limit on total payload size of in-flight updates has been reached ({limit} bytes)" in str(
            refused.value)

        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        environment = make_environment(gaps=[{"category": "dns", "description": "CNAME"}]).model_dump(mode="json")
        await customer.send_raw("submit_environment", {"by": "Sam", "environment": environment})  # taken as before
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        await handle.terminate("test finished")
