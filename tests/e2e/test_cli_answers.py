"""The `fasttrack` command when the engagement cannot answer: a worker killed, none
polling; and an action sent again after it, applied once."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from engagement_client.purchases import record_purchase
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from tests.support.cli_process import ok, refused
from tests.support.scenario import make_purchase, wait_for_phase

ACTOR = "Ana (FastTrack)"  # the `cli` fixture's FASTTRACK_ACTOR


@pytest.fixture
def worker(worker_process):
    return worker_process(log_level="INFO")


async def test_an_action_sent_again_after_the_worker_was_killed_is_applied_once(cli, dev_server_env, task_queue,
                                                                              worker):
    worker.start()
    purchase = make_purchase(datetime.now(timezone.utc))
    started = await record_purchase(dev_server_env.client, purchase, task_queue, BenefitPolicy(business_hours=None))
    await wait_for_phase(started.handle, Phase.INITIATE)
    tenant = purchase.tenant_id.upper()  # ids are read whatever their case

    worker.kill()
    began = time.monotonic()
    silence = await refused(cli, "contact", tenant, "--request-id", "ticket-4711", code=5)
    assert time.monotonic() - began < 30  # it says so instead of hanging: within 10 s, on a busy machine more
    assert "has not taken the action" in silence and "It may still be applied once a worker runs" in silence
    assert "run the same command again with --request-id ticket-4711 to apply it once and read its outcome" in silence

    unread = await refused(cli, "status", tenant, code=5)
    assert f"Engagement {started.handle.id}" in unread and "has not been read" in unread

    worker.start()
    first = await ok(cli, "contact", tenant, "--request-id", "ticket-4711")
    again = await ok(cli, "contact", tenant, "--request-id", "ticket-4711")
    assert "✓" in first and first == again  # the second is the first's answer, not "Contact was already recorded"
    state = json.loads(await ok(cli, "status", started.handle.id.upper(), "-o", "json"))
    assert [event["by"] for event in state["timeline"]].count(ACTOR) == 1

    history = await started.handle.fetch_history()
    update_ids = [event.workflow_execution_update_accepted_event_attributes.protocol_instance_id
                  for event in history.events if event.HasField("workflow_execution_update_accepted_event_attributes")]
    assert len(update_ids) == 1 and update_ids[0].startswith("record_contact/")


async def test_no_worker_polling_is_said_within_seconds(cli, dev_server_env, task_queue):
    purchase = make_purchase(datetime.now(timezone.utc))
    await record_purchase(dev_server_env.client, purchase, task_queue, BenefitPolicy(business_hours=None))
    began = time.monotonic()
    unread = await refused(cli, "status", purchase.tenant_id, code=5)
    assert time.monotonic() - began < 30
    assert f"No worker polls task queue '{task_queue}'" in unread
    assert "Start the worker (`make run` starts one)" in unread
