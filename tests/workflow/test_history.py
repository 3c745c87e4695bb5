"""Long-lived history hygiene: a year of waiting stays small, and a history that
grows anyway continues as new with its whole state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from devstack.ports import free_port
from devstack.settings import server_limit_flags
from devstack.smtp_sink import MailSink
from engagement_client.listing import ListFilter, list_engagements
from engagement_client.purchases import record_purchase
from engagement_client.query_retry import QueryRetryInterceptor
from fasttrack.engagement import budget
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from tests.support.encryption import encrypted_converter
from tests.support.scenario import (
    ENVIRONMENT_WITH_GAPS,
    approve_verification,
    complete_enable,
    drive_through_assess,
    finished,
    hold_checkpoints,
    make_environment,
    make_purchase,
    make_scope,
    remediate_all,
    require_binary,
    running_worker,
    state_of,
)
from tests.support.workflow_checks import eventually
from workflows import search_attributes as sa

SUGGEST_CONTINUE_AS_NEW_AFTER = 60  # events; Temporal's default is 4,096 (and 10 MiB)


async def test_a_year_waiting_in_remediation_stays_far_below_the_limits(
    time_skipping_env, task_queue, tmp_path, mail_sink
):
    """Weekly checkpoint invitations, stall reminders every 14 days, the manager's
    escalations, then expiry: the longest quiet path an engagement can take."""
    env = time_skipping_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        started = await record_purchase(env.client, make_purchase(now), task_queue)
        handle = started.handle
        await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
        result = await finished(env, handle)
    assert result.outcome.status is Phase.EXPIRED
    history = await handle.fetch_history()
    events = len(history.events)
    size = sum(event.ByteSize() for event in history.events)
    state_whats = [event.what for event in result.timeline]
    print(
        f"\n12 months waiting in Remediate: {events} events, {size / 1024:.0f} KiB of history; "
        f"{state_whats.count('checkpoint_invitation_sent')} checkpoint invitations, "
        f"{state_whats.count('remediation_stalled_sent')} stall reminders"
    )
    assert state_whats.count("checkpoint_invitation_sent") >= 50
    assert events < 2_000  # Temporal's limit is 51,200 events and 50 MiB
    assert size < 1024 * 1024


@pytest.fixture(scope="module")
async def eager_continue_as_new_env(tmp_path_factory):
    """A dev server that suggests continue-as-new after a few dozen events."""
    env = await WorkflowEnvironment.start_local(
        data_converter=encrypted_converter(),
        interceptors=[QueryRetryInterceptor()],
        dev_server_existing_path=str(require_binary("temporal")),
        dev_server_database_filename=str(tmp_path_factory.mktemp("can") / "temporal.db"),
        search_attributes=sa.ALL,
        dev_server_extra_args=[
            "--dynamic-config-value", f"limit.historyCount.suggestContinueAsNew={SUGGEST_CONTINUE_AS_NEW_AFTER}",
            *server_limit_flags(),
        ],
    )
    yield env
    await env.shutdown()


async def test_a_growing_history_continues_as_new_with_its_whole_state(
    eager_continue_as_new_env, task_queue, tmp_path, mail_sink
):
    env = eager_continue_as_new_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        started = await record_purchase(
            env.client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None)
        )
        handle = started.handle
        first_run = (await handle.describe()).run_id
        await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
        await hold_checkpoints(handle, 30)
        state = await state_of(handle)
        latest_run = (await handle.describe()).run_id
        assert latest_run != first_run  # the engagement moved to a fresh history...
        assert state.checkpoints_held == 30  # ...and lost nothing on the way
        assert [event.detail for event in state.timeline if event.what == "checkpoint_held"] == [
            f"Call {number}" for number in range(1, 31)
        ]
        assert state.phase is Phase.REMEDIATE and len(state.checklist) == 2
        await remediate_all(handle)
        await approve_verification(handle)
        await complete_enable(handle)
        result = await finished(env, handle)
    assert result.outcome.status is Phase.COMPLETED
    assert [event.what for event in result.timeline].count("purchase_recorded") == 1
    assert len((await handle.fetch_history()).events) < 4 * SUGGEST_CONTINUE_AS_NEW_AFTER
    runs = [execution async for execution in env.client.list_workflows(f"WorkflowId = '{handle.id}'")]
    print(f"\ncontinued as new: {len(runs)} runs for one engagement")
    assert len(runs) >= 2
    assert timedelta(0) <= result.outcome.at - now


async def test_messages_on_their_way_do_not_put_off_continue_as_new_and_each_arrives_once(
    eager_continue_as_new_env, task_queue, tmp_path
):
    """With the mail server down, every message stays on its way; the engagement still
    moves to a fresh history, carrying them, and each arrives once when the server returns."""
    env = eager_continue_as_new_env
    now = await env.get_current_time()
    down = MailSink(tmp_path / "mail", port=free_port())  # configured, not started: the server is down
    async with running_worker(env.client, task_queue, down, tmp_path / "ledger"):
        started = await record_purchase(env.client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        handle = started.handle
        first_run = (await handle.describe()).run_id
        await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
        await hold_checkpoints(handle, 30)

        async def moved_on():
            return (await handle.describe()).run_id != first_run

        await eventually(moved_on, 30, "messages on their way put off continue-as-new")
        state = await state_of(handle)
        assert state.messages_sent == 0 and len(state.scheduled_messages) >= 3  # carried over, none lost
        expected = {message.key for message in state.scheduled_messages}
        back = MailSink(tmp_path / "mail", port=down.port)
        back.start()
        try:
            async def all_sent():
                state = await state_of(handle)
                return state if state.messages_sent >= len(expected) and not state.scheduled_messages else None

            state = await eventually(all_sent, 90, "the carried messages were not sent")
            keys = [message["X-FastTrack-Key"] for message in back.messages()]
            assert expected <= set(keys) and len(keys) == len(set(keys))  # each once (and those due since)
        finally:
            await handle.terminate("test finished")
            back.stop()


async def test_a_record_too_large_to_carry_is_a_risk_and_the_engagement_goes_on_without_looping(
    eager_continue_as_new_env, task_queue, tmp_path, mail_sink, monkeypatch
):
    env = eager_continue_as_new_env
    monkeypatch.setattr(budget, "CARRY_LIMIT", 4 * 1024)  # every record is too large
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        started = await record_purchase(env.client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        handle = started.handle
        first_run = (await handle.describe()).run_id
        await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
        await hold_checkpoints(handle, 30)
        state = await state_of(handle)
        assert (await handle.describe()).run_id == first_run  # still in its first history...
        assert state.record_too_large_since is not None and state.checkpoints_held == 30  # ...with a risk, nothing lost
        assert [event.what for event in state.timeline].count("record_too_large") == 1  # tried once, no loop
        assert len((await handle.fetch_history()).events) < 300  # the actions' own events, no retries

        async def listed_at_risk():
            rows = await list_engagements(env.client, ListFilter(at_risk=True))
            return next((row for row in rows if row.engagement_id == handle.id), None)

        row = await eventually(listed_at_risk, 30, "not listed at risk")
        assert "record too large to carry over" in row.risks
        await handle.terminate("test finished")
