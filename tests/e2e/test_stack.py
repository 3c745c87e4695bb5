"""The run command's stack, as a user runs it: server + UI + worker, persistence across restarts."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import sys
import urllib.request
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from devstack.smtp_sink import MailSink
from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.engagement import engagement_id_for
from fasttrack.errors import BenefitAlreadyUsed
from fasttrack.models import EngagementResult, MessageDeliveryResult, Phase
from tests.support.encryption import encrypted_converter
from tests.support.scenario import (
    EVERY_DAY_NINE_TO_FIVE,
    LOCAL_HOUR,
    drive_to_completion,
    make_purchase,
    wait_for_phase,
    zone_where_it_is,
)
from tests.support.stack_process import REPOSITORY
from workflows.engagement import TASK_QUEUE, EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow


@pytest.mark.timeout(300)
@pytest.mark.parametrize("moment", list(LOCAL_HOUR))
async def test_run_command_serves_ui_and_worker_and_keeps_engagements_across_restarts(stack, moment):
    stack.start()
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.ui_port}/", timeout=10) as response:
        assert response.status == 200

    client = await Client.connect(f"127.0.0.1:{stack.port}", data_converter=encrypted_converter(),
                                  interceptors=[QueryRetryInterceptor()])
    now = datetime.now(timezone.utc)
    zone = zone_where_it_is(LOCAL_HOUR[moment], now)
    inside = moment == "inside business hours"
    purchase = make_purchase(now, time_zone=zone)
    started = await record_purchase(client, purchase, TASK_QUEUE, EVERY_DAY_NINE_TO_FIVE, stack.register)
    await drive_to_completion(started.handle, purchase.purchased_at.date())
    result = await asyncio.wait_for(started.handle.result(), timeout=30)
    assert result.outcome.status is Phase.COMPLETED
    events_before = len((await started.handle.fetch_history()).events)
    delivery: WorkflowHandle[MessageDeliveryWorkflow, MessageDeliveryResult] = client.get_workflow_handle_for(
        MessageDeliveryWorkflow.run, result.message_delivery_id)
    if inside:
        await asyncio.wait_for(delivery.result(), timeout=60)
    else:
        waiting = (await delivery.query(MessageDeliveryWorkflow.outcomes)).messages
        assert waiting and all(message.sent_at is None for message in waiting)
        assert {message.send_at.astimezone(ZoneInfo(zone)).time() for message in waiting} == {time(9, 0)}
    # The messages went through the local SMTP sink into the data folder.
    kinds = [message["X-FastTrack-Kind"] for message in MailSink(stack.data_dir / "mail").messages()
             if message["X-FastTrack-Engagement"] == started.handle.id]
    assert ("engagement_closed" in kinds) is inside

    assert stack.stop() == 0
    output = stack.output.read_text()
    assert "Stopping the worker" in output and "Stopped." in output
    # The data folder is its user's alone: the register, the server's database and the mail hold customer data.
    assert stat.S_IMODE(stack.data_dir.stat().st_mode) == 0o700
    shared = [f"{path} {stat.S_IMODE(path.stat().st_mode):o}" for path in stack.data_dir.rglob("*")
              if stat.S_IMODE(path.stat().st_mode) & 0o077]
    assert shared == []

    # The worker's logs are JSON (not a terminal), with workflow and activity ids,
    # including what workflow code logs through workflow.logger.
    logs = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    workflow_logs = [log for log in logs if log["event"] == "action recorded"]
    assert workflow_logs and all(log["workflow_id"] == started.handle.id for log in workflow_logs)
    assert {log["action"] for log in workflow_logs} >= {"ContactMade", "KickoffHeld", "TaskDone"}
    deliveries = [log for log in logs if log["event"] == "message delivered"]
    assert bool(deliveries) is inside and all(
        log["workflow_id"] in (started.handle.id, delivery.id) and log["activity_type"] == "send_notification"
        and log["activity_id"]
        for log in deliveries
    )

    stack.start()
    client = await Client.connect(f"127.0.0.1:{stack.port}", data_converter=encrypted_converter(),
                                  interceptors=[QueryRetryInterceptor()])
    handle: WorkflowHandle[EngagementWorkflow, EngagementResult] = client.get_workflow_handle_for(
        EngagementWorkflow.run, engagement_id_for(purchase.tenant_id))
    assert (await handle.result()).outcome.status is Phase.COMPLETED
    assert len((await handle.fetch_history()).events) == events_before
    state = await handle.query(EngagementWorkflow.state)
    assert state.phase is Phase.COMPLETED
    delivery = client.get_workflow_handle_for(MessageDeliveryWorkflow.run, result.message_delivery_id)
    if not inside:  # still waiting for the customer's morning, across the restart
        assert (await delivery.describe()).status == WorkflowExecutionStatus.RUNNING
        assert (await delivery.query(MessageDeliveryWorkflow.outcomes)).messages == waiting
        await delivery.terminate("test finished")

    # The register in the data folder kept the engagement across the restart, and still applies R4.
    record = stack.register.latest(started.handle.id)
    assert record.outcome.status is Phase.COMPLETED and record.report and record.first_run_id
    assert stack.register.counts()["engagements"] == 1
    another = make_purchase(purchase.purchased_at, tenant_id=purchase.tenant_id, order_id="ORD-after-restart")
    with pytest.raises(BenefitAlreadyUsed):
        await record_purchase(client, another, TASK_QUEUE, register=stack.register)

    # The restarted worker picks up new work too.
    second = await record_purchase(client, make_purchase(purchase.purchased_at), TASK_QUEUE, register=stack.register)
    await wait_for_phase(second.handle, Phase.INITIATE)
    assert stack.stop() == 0


def test_stack_refuses_a_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        env = {**os.environ, "FASTTRACK_DATA_DIR": str(tmp_path), "FASTTRACK_TEMPORAL_PORT": str(busy.getsockname()[1])}
        finished = subprocess.run(
            [sys.executable, "-m", "devstack.stack"], cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=60
        )
    assert finished.returncode == 2
    assert "already in use" in finished.stderr


@pytest.mark.parametrize(
    "variable, value, fragment",
    [
        ("FASTTRACK_TEMPORAL_ADDRESS", "no-port-here", "FASTTRACK_TEMPORAL_ADDRESS"),
        ("FASTTRACK_TEMPORAL_ADDRESS", "localhost:99999", "port must be between 1 and 65535"),
        ("FASTTRACK_MANAGER_EMAIL", "not an email", "FASTTRACK_MANAGER_EMAIL"),
        ("FASTTRACK_LOG_FORMAT", "xml", "FASTTRACK_LOG_FORMAT"),
        ("FASTTRACK_DATABASE_URL", "not a url", "FASTTRACK_DATABASE_URL"),
        ("FASTTRACK_DATABASE_URL", "mysql://fasttrack@localhost/register", "runs on SQLite or PostgreSQL"),
        ("FASTTRACK_SMTP_SECURITY", "ssl", "FASTTRACK_SMTP_SECURITY"),
    ],
)
def test_worker_refuses_bad_configuration_with_a_clear_message(variable, value, fragment):
    env = {**os.environ, variable: value}
    finished = subprocess.run(
        [sys.executable, "-m", "workers.worker"], cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    assert fragment in finished.stderr
    assert f"(got '{value}')" in finished.stderr
    assert "Traceback" not in finished.stderr
