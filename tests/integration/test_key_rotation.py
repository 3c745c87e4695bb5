"""Key rotation on the real dev server: an engagement written under key 1 goes on,
and stays readable, once key 2 is current and key 1 is only kept to decrypt."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle

from engagement_client.codec import ENCODING, KEY_ID, KeyProblem
from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.models import ContactMade, EngagementResult, Phase
from fasttrack.policy import BenefitPolicy
from tests.support.encryption import encrypted_converter, new_key, payloads_in
from tests.support.scenario import make_purchase, running_worker, wait_for_phase
from workflows.engagement import EngagementWorkflow


async def fasttrack(address: str, keys: str, *arguments: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "fasttrack"), "--address", address, *arguments,
        env={**os.environ, "FASTTRACK_ENCRYPTION_KEYS": keys, "COLUMNS": "250"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return await process.wait(), output.decode()


async def history_payloads(client: Client, workflow_id: str) -> list:
    """The history's payloads, but for the SDK's own patch markers (a patch's name, never encrypted)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return [payload for event in history.events if not event.marker_recorded_event_attributes.marker_name
            for payload in payloads_in(event)]


async def test_histories_written_under_key_1_stay_readable_after_key_2_becomes_current(
        dev_server_env, task_queue, tmp_path, mail_sink):
    address = dev_server_env.client.service_client.config.target_host
    key_1, key_2 = new_key("key-1"), new_key("key-2")
    asking_again = [QueryRetryInterceptor()]
    before = await Client.connect(address, data_converter=encrypted_converter(key_1), interceptors=asking_again)
    after = await Client.connect(address, data_converter=encrypted_converter(f"{key_2},{key_1}"),
                                 interceptors=asking_again)
    key_2_only = await Client.connect(address, data_converter=encrypted_converter(key_2), interceptors=asking_again)

    now = await dev_server_env.get_current_time()
    purchase = make_purchase(now, customer_contact={"name": "Rotation Admin", "email": "rotation-admin@contoso.example"})
    async with running_worker(before, task_queue, mail_sink, tmp_path / "before"):
        started = await record_purchase(before, purchase, task_queue, BenefitPolicy(business_hours=None))
        await wait_for_phase(started.handle, Phase.INITIATE)
        # The command line without key 1 says which key it lacks.
        code, said = await fasttrack(address, key_2, "status", started.handle.id)
        assert code == 2, said
        assert "A payload is encrypted with key 'key-1', which is not configured" in said, said
    written_before = await history_payloads(after, started.handle.id)

    # A new worker replays the history from key 1's payloads, then writes under key 2.
    async with running_worker(after, task_queue, mail_sink, tmp_path / "after"):
        handle: WorkflowHandle[EngagementWorkflow, EngagementResult] = after.get_workflow_handle_for(
            EngagementWorkflow.run, started.handle.id)
        receipt = await handle.execute_update(EngagementWorkflow.record_contact,
                                              ContactMade(by="Ana (FastTrack)", note="Reached after the rotation"))
        assert "contact" in receipt.message.lower()
        state = await handle.query(EngagementWorkflow.state)
    assert state.purchase.customer_contact.email == "rotation-admin@contoso.example"  # read back through both keys
    assert "contact_made" in [event.what for event in state.timeline]

    every_payload = await history_payloads(after, started.handle.id)
    key_ids = {payload.metadata[KEY_ID].decode() for payload in every_payload if payload.metadata.get(KEY_ID)}
    assert key_ids == {"key-1", "key-2"}
    assert all(payload.metadata["encoding"] == ENCODING for payload in written_before)
    assert all(b"rotation-admin@contoso.example" not in payload.data for payload in every_payload)

    codec, codec_without_key_1 = after.data_converter.payload_codec, key_2_only.data_converter.payload_codec
    assert codec is not None and codec_without_key_1 is not None
    decoded = await codec.decode(every_payload)
    assert any(b"rotation-admin@contoso.example" in payload.data for payload in decoded)
    # Dropping key 1 too early is a clear error naming it.
    with pytest.raises(KeyProblem, match="key-1"):
        await codec_without_key_1.decode(written_before)
    await handle.terminate("test finished")
