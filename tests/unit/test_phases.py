"""Each phase's rules on the pure engagement, without Temporal: what each action
is allowed to do, and what the engagement does on its own as days pass."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from fasttrack.engagement import ActionRejected, Engagement
from fasttrack.engagement.catalogue import RULES
from fasttrack.models import (
    Audience,
    Action,
    AppSelected,
    AssistanceRequested,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EngagementInput,
    EnvironmentSubmitted,
    Goal,
    ItemStatus,
    KickoffHeld,
    MdmAuthority,
    NotificationKind,
    Person,
    Phase,
    PlanAgreed,
    RemediationItemDone,
    TaskDone,
    TaskNeeds,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, add_calendar_months
from fasttrack.rules import check_eligibility
from tests.support.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
POLICY = BenefitPolicy(business_hours=None)  # business hours have tests of their own
FT, SAM = "Ana (FastTrack)", "Sam (Contoso IT)"


def opened(**purchase_changes) -> Engagement:
    purchase = make_purchase(T0, **purchase_changes)
    engagement = Engagement.open(EngagementInput(purchase=purchase, policy=POLICY), "fasttrack-intune-t", T0)
    engagement.record_eligibility(check_eligibility(purchase, POLICY), T0)
    return engagement


def run_until(engagement: Engagement, end: datetime) -> list[str]:
    """Fires every reminder up to ``end`` as the workflow does; returns the kinds of the messages sent."""
    sent = []
    while (reminder := engagement.next_reminder()) is not None and reminder.at <= end:
        engagement.advance_clock(reminder.at)
        for message in engagement.due_messages(reminder.at):
            engagement.record_delivery(message, reminder.at)
            sent.append(message.kind.value)
    return sent


def refused(engagement: Engagement, action: Action, at: datetime, fragment: str) -> None:
    before = engagement.state.model_copy(deep=True)
    with pytest.raises(ActionRejected, match=fragment):
        engagement.apply(action, at)
    assert engagement.state == before


def in_remediate(**scope_changes) -> Engagement:
    engagement = opened()
    engagement.apply(ContactMade(by=FT), T0 + DAY)
    engagement.apply(KickoffHeld(by=FT, scope=make_scope(**scope_changes)), T0 + 2 * DAY)
    engagement.apply(EnvironmentSubmitted(by=SAM, environment=make_environment(**ENVIRONMENT_WITH_GAPS)), T0 + 3 * DAY)
    engagement.apply(PlanAgreed(by=FT, target_date=date(2026, 6, 1)), T0 + 4 * DAY)
    return engagement


def in_enable_intune(**scope_changes) -> Engagement:
    engagement = in_remediate(**scope_changes)
    for item in engagement.open_items():
        engagement.apply(RemediationItemDone(by=SAM, item_id=item.id), T0 + 5 * DAY)
    engagement.apply(VerificationResult(by=FT, approved=True), T0 + 6 * DAY)
    for task in list(engagement.state.tasks):
        engagement.apply(TaskDone(by=FT, task_id=task.id), T0 + 7 * DAY)
    assert engagement.state.phase is Phase.ENABLE_INTUNE
    return engagement


def test_every_action_has_one_rule_and_is_refused_outside_its_phases():
    assert set(RULES) == set(Action.__subclasses__())
    engagement = opened()
    refused(engagement, TaskDone(by=SAM, task_id="core.dns"), T0,
            "Cannot complete an Enable task now: the engagement is in initiate, and this is done in enable_core or "
            "enable_intune")


# eligibility -----------------------------------------------------------------

def test_an_ineligible_purchase_closes_with_its_reasons_and_a_closing_message():
    engagement = opened(licenses=100)
    assert engagement.state.phase is Phase.INELIGIBLE
    outcome = engagement.state.outcome
    assert outcome is not None and any("100 licenses" in reason for reason in outcome.reasons)
    assert [m.kind for m in engagement.state.scheduled_messages] == [NotificationKind.ENGAGEMENT_CLOSED]


# Initiate ----------------------------------------------------------------------

def test_outreach_on_days_0_7_14_21_28_then_the_sla_escalates_and_outreach_slows_down():
    engagement = opened()
    sent = run_until(engagement, T0 + 60 * DAY)
    attempts = [event.at - T0 for event in engagement.state.timeline if event.what == "outreach_sent"]
    assert attempts == [timedelta(days=d) for d in (0, 7, 14, 21, 28, 44, 58)]
    assert sent.count("contact_escalation") == 1 and engagement.state.contact_sla_breached


def test_contact_stops_outreach_proposes_the_kickoff_and_starts_the_window():
    engagement = opened()
    engagement.apply(ContactMade(by=FT), T0 + 3 * DAY)
    state = engagement.state
    kickoff = state.kickoff_call
    assert state.next_outreach_at is None and kickoff is not None and kickoff.start >= T0 + 5 * DAY
    assert state.onboarding_deadline == add_calendar_months(T0 + 3 * DAY, 12)
    assert NotificationKind.KICKOFF_INVITATION in [m.kind for m in state.scheduled_messages]
    refused(engagement, ContactMade(by=FT), T0 + 4 * DAY, "Contact was already recorded")


def test_mail_greets_the_contact_then_the_project_manager_by_the_given_name_they_gave():
    engagement = opened(customer_contact=Person(name="Sam Admin", email="sam@contoso.example", given_name="Sam"))
    engagement.apply(ContactMade(by=FT), T0 + DAY)
    (invitation,) = [m for m in engagement.state.scheduled_messages if m.audience is Audience.CUSTOMER]
    assert (invitation.recipient_name, invitation.recipient_given_name) == ("Sam Admin", "Sam")
    paula = Person(name="Paula PM", email="paula@contoso.example", given_name="Paula")
    for project_manager, given_name in ((paula, "Paula"), (paula.model_copy(update={"given_name": None}), None)):
        to_customer = [m for m in in_remediate(project_manager=project_manager).state.scheduled_messages
                       if m.audience is Audience.CUSTOMER]
        assert to_customer and {(m.recipient_name, m.recipient_given_name) for m in to_customer} == {
            ("Paula PM", given_name)}
        # Without one, the shape recorded in histories stays as it was.
        assert all(("given_name" in m.model_dump_json()) is (given_name is not None) for m in to_customer)


def test_an_outreach_withdrawn_before_it_went_is_no_attempt():
    waited, went = opened(), opened()
    for engagement in (waited, went):
        engagement.advance_clock(T0)  # the first outreach is due: counted, and waiting to go
        assert engagement.state.outreach_attempts == 1
    assert waited.state.outreach_waiting == 1 and waited.state.outreach_sent == 0
    run_until(went, T0)
    assert went.state.outreach_waiting == 0 and went.state.outreach_sent == 1
    for engagement in (waited, went):
        engagement.apply(ContactMade(by=FT), T0 + DAY)
    assert (waited.state.outreach_attempts, went.state.outreach_attempts) == (0, 1)


def test_assistance_stops_outreach_but_the_sla_waits_for_contact():
    engagement = opened()
    run_until(engagement, T0)  # the first outreach goes out at once
    engagement.apply(AssistanceRequested(by=SAM), T0 + 2 * DAY)
    run_until(engagement, T0 + 31 * DAY)
    assert engagement.state.outreach_attempts == 1 and engagement.state.contact_sla_breached


def test_the_kickoff_needs_contact_first_and_a_scope_that_holds():
    engagement = opened()
    refused(engagement, KickoffHeld(by=FT, scope=make_scope()), T0, "follows first contact")
    engagement.apply(ContactMade(by=FT), T0 + DAY)
    refused(engagement, KickoffHeld(by=FT, scope=make_scope(goals=[Goal.MDM], mdm_authority=MdmAuthority.NONE)),
            T0 + DAY, "The scope cannot be accepted")
    receipt = engagement.apply(KickoffHeld(by=FT, scope=make_scope()), T0 + 2 * DAY)
    assert receipt.phase is Phase.ASSESS


# Assess ------------------------------------------------------------------------

def test_the_plan_follows_the_environment_and_falls_inside_the_window():
    engagement = opened()
    engagement.apply(ContactMade(by=FT), T0 + DAY)
    engagement.apply(KickoffHeld(by=FT, scope=make_scope()), T0 + 2 * DAY)
    refused(engagement, PlanAgreed(by=FT, target_date=date(2026, 6, 1)), T0 + 2 * DAY, "Submit the source environment")
    engagement.apply(EnvironmentSubmitted(by=SAM, environment=make_environment(**ENVIRONMENT_WITH_GAPS)), T0 + 3 * DAY)
    assert len(engagement.open_items()) == 2
    refused(engagement, PlanAgreed(by=FT, target_date=date(2026, 3, 1)), T0 + 3 * DAY, "is in the past")
    refused(engagement, PlanAgreed(by=FT, target_date=date(2028, 1, 1)), T0 + 3 * DAY, "after the end")
    refused(engagement, PlanAgreed(by=FT, target_date=date(2026, 6, 1), checkpoint_cadence="daily"), T0 + 3 * DAY,
            "is not offered")
    assert engagement.apply(PlanAgreed(by=FT, target_date=date(2026, 6, 1)), T0 + 4 * DAY).phase is Phase.REMEDIATE


# Remediate -----------------------------------------------------------------------

def test_weekly_checkpoints_and_one_escalation_per_stall():
    engagement = in_remediate()
    sent = run_until(engagement, T0 + 4 * DAY + 15 * DAY)
    assert engagement.state.remediation_stalled
    # The invitation to call 1 goes with the plan; calls 1 (day 7) and 2 (day 14) each bring the next.
    assert sent.count("checkpoint_invitation") == 3 and sent.count("stall_escalation") == 1
    engagement.apply(CheckpointHeld(by=FT), T0 + 20 * DAY)
    engagement.apply(RemediationItemDone(by=SAM, item_id=engagement.open_items()[0].id), T0 + 20 * DAY)
    assert not engagement.state.remediation_stalled


def test_verification_passes_only_with_every_item_done_and_a_rejection_reopens():
    engagement = in_remediate()
    first, second = (item.id for item in engagement.open_items())
    refused(engagement, VerificationResult(by=FT, approved=True), T0 + 5 * DAY, "while items are open")
    engagement.apply(RemediationItemDone(by=SAM, item_id=first), T0 + 5 * DAY)
    refused(engagement, RemediationItemDone(by=SAM, item_id=first), T0 + 5 * DAY, "already done")
    engagement.apply(RemediationItemDone(by=SAM, item_id=second), T0 + 5 * DAY)
    engagement.apply(VerificationResult(by=FT, approved=False, reopen_item_ids=[first]), T0 + 6 * DAY)
    assert [item.id for item in engagement.open_items()] == [first]
    assert engagement.state.checklist[0].times_reopened == 1
    engagement.apply(RemediationItemDone(by=SAM, item_id=first), T0 + 7 * DAY)
    assert engagement.apply(VerificationResult(by=FT, approved=True), T0 + 8 * DAY).phase is Phase.ENABLE_CORE
    assert engagement.state.tasks and all(item.verified for item in engagement.state.checklist)


@pytest.mark.parametrize("drops", [True, False])
def test_a_verification_drops_the_waiting_messages_it_makes_untrue(drops):
    """Waiting for business hours, an earlier rejection's notice is replaced by the next
    one, and an approval drops it and the checklist; engagements started before the
    change (``drops`` False) replay keeping them."""
    engagement = in_remediate()
    engagement.drops_superseded_messages = drops
    first, second = (item.id for item in engagement.open_items())
    for item_id in (first, second):
        engagement.apply(RemediationItemDone(by=SAM, item_id=item_id), T0 + 5 * DAY)
    engagement.apply(VerificationResult(by=FT, approved=False, reopen_item_ids=[first]), T0 + 6 * DAY)
    engagement.apply(RemediationItemDone(by=SAM, item_id=first), T0 + 6 * DAY)
    engagement.apply(VerificationResult(by=FT, approved=False, reopen_item_ids=[second]), T0 + 7 * DAY)

    def waiting() -> list[str]:
        return [m.summary for m in engagement.state.scheduled_messages if m.kind in (
            NotificationKind.VERIFICATION_REJECTED, NotificationKind.REMEDIATION_CHECKLIST)]

    assert any(summary.startswith("Verification 2") for summary in waiting())
    assert any(summary.startswith("Verification 1") for summary in waiting()) is not drops
    engagement.apply(RemediationItemDone(by=SAM, item_id=second), T0 + 7 * DAY)
    engagement.apply(VerificationResult(by=FT, approved=True), T0 + 8 * DAY)
    assert (waiting() == []) is drops


# Enable — core capabilities, Enable — Intune ------------------------------------------

def test_intune_tasks_wait_for_the_core_capabilities():
    engagement = in_remediate()
    for item in engagement.open_items():
        engagement.apply(RemediationItemDone(by=SAM, item_id=item.id), T0 + 5 * DAY)
    engagement.apply(VerificationResult(by=FT, approved=True), T0 + 6 * DAY)
    refused(engagement, TaskDone(by=FT, task_id="intune.assign_licenses"), T0 + 6 * DAY,
            "begins only once the core capabilities are enabled")


def test_devices_and_apps_within_the_limits_then_the_last_task_completes_the_engagement():
    engagement = in_enable_intune()
    device = {"by": SAM, "platform": "ios"}
    needs_device = next(t for t in engagement.state.tasks if t.needs is TaskNeeds.TEST_DEVICE)
    refused(engagement, TaskDone(by=SAM, task_id=needs_device.id), T0 + 8 * DAY, "enroll one first")
    for name in ("iPhone-1", "iPhone-2"):
        engagement.apply(DeviceEnrolled.model_validate({**device, "device_name": name}), T0 + 8 * DAY)
    refused(engagement, DeviceEnrolled.model_validate({**device, "device_name": "iPhone-3"}),
            T0 + 8 * DAY, "At most 2 test devices per platform")
    refused(engagement, AppSelected(by=SAM, platform="ios", app_name="X", link_type="web_link", link="ftp://x"),
            T0 + 8 * DAY, "A web link starts with https")
    engagement.apply(AppSelected(by=SAM, platform="ios", app_name="Expenses", link_type="web_link",
                                 link="https://apps.contoso.example/expenses"), T0 + 8 * DAY)
    for task in [t for t in engagement.state.tasks if t.status is ItemStatus.OPEN]:
        receipt = engagement.apply(TaskDone(by=SAM, task_id=task.id), T0 + 9 * DAY)
    outcome = engagement.state.outcome
    assert receipt.phase is Phase.COMPLETED and outcome is not None and outcome.left == []


def test_devices_are_refused_when_mdm_is_not_in_scope():
    engagement = in_enable_intune(goals=[Goal.MAM], mdm_authority=MdmAuthority.NONE)
    refused(engagement, DeviceEnrolled.model_validate({"by": SAM, "platform": "ios", "device_name": "a"}),
            T0 + 8 * DAY, "mobile device management is not in this engagement's scope")


# closing -----------------------------------------------------------------------------

def test_a_withdrawal_closes_with_the_reason_and_what_was_left_and_takes_no_more_actions():
    engagement = in_remediate()
    engagement.apply(Withdrawal(by=SAM, reason="Postponed"), T0 + 10 * DAY)
    outcome = engagement.state.outcome
    assert outcome is not None and outcome.status is Phase.WITHDRAWN and outcome.reasons == ["Postponed"]
    assert "Remediate: joint verification of the remediation" in outcome.left
    refused(engagement, CheckpointHeld(by=FT), T0 + 11 * DAY, "closed")
    kinds = [m.kind for m in engagement.hand_over_messages()]
    assert NotificationKind.ENGAGEMENT_CLOSED in kinds and engagement.state.scheduled_messages == []


def test_an_engagement_never_reached_expires_twelve_months_after_the_purchase():
    engagement = opened()
    run_until(engagement, T0 + 400 * DAY)
    assert engagement.state.phase is Phase.EXPIRED
    outcome = engagement.state.outcome
    assert outcome is not None and outcome.at == add_calendar_months(T0, 12)
    assert "Initiate: first contact with FastTrack" in outcome.left


def test_a_cancellation_goes_to_whoever_received_the_invitation():
    engagement = opened()
    engagement.apply(ContactMade(by=FT), T0)
    run_until(engagement, T0)  # the kickoff invitation goes to the admin who bought
    (invitation,) = [e for e in engagement.state.timeline if e.what == "kickoff_invitation_sent"]
    assert "sam@contoso.example" in invitation.detail
    engagement.apply(KickoffHeld(by=FT, scope=make_scope()), T0 + DAY)  # held before the proposed call
    (cancellation,) = [m for m in engagement.state.scheduled_messages if m.kind is NotificationKind.CALL_CANCELLED]
    assert cancellation.to == ["sam@contoso.example"]  # not the project manager, who never had it
