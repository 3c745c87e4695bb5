"""Initiate: first contact, outreach inside the contact window, the contact SLA, the kickoff."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.calls import cancel_call, invite
from fasttrack.engagement.core import ORCHESTRATOR, EngagementParts, business_slot, day, enter, local, record
from fasttrack.engagement.outbox import notify, withdraw_waiting
from fasttrack.errors import ActionRejected
from fasttrack.models import (
    AssistanceRequested,
    Audience,
    CallKind,
    ContactMade,
    KickoffHeld,
    NotificationKind,
    Phase,
    Reminder,
    ScheduledCall,
)
from fasttrack.models.actions import ActionEvent
from fasttrack.rules import scope_problems


def check_contact(engagement: EngagementParts, action: ContactMade, now: datetime) -> None:
    if engagement.state.contact_made_at is not None:
        raise ActionRejected(f"Contact was already recorded on {day(engagement.state.contact_made_at)}.")


def apply_contact(engagement: EngagementParts, action: ContactMade, now: datetime) -> str:
    state, policy = engagement.state, engagement.policy
    state.contact_made_at = now
    _customer_reached(engagement, now)
    record(engagement, now, ActionEvent.CONTACT_MADE, action.by, action.note or "")
    start = business_slot(engagement, now + policy.kickoff_lead)
    state.kickoff_call = ScheduledCall(
        kind=CallKind.KICKOFF,
        uid=f"kickoff.{state.engagement_id}@fasttrack-orchestrator",
        start=start,
        end=start + policy.call_duration,
    )
    invite(engagement, state.kickoff_call, now)
    return f"Contact recorded; outreach stopped. Kickoff proposed for {local(engagement, start)}."


def check_assistance(engagement: EngagementParts, action: AssistanceRequested, now: datetime) -> None:
    if engagement.state.assistance_requested_at is not None:
        raise ActionRejected(
            f"Assistance was already requested on {day(engagement.state.assistance_requested_at)}."
        )


def apply_assistance(engagement: EngagementParts, action: AssistanceRequested, now: datetime) -> str:
    state = engagement.state
    state.assistance_requested_at = now
    _customer_reached(engagement, now)
    record(engagement, now, ActionEvent.ASSISTANCE_REQUESTED, action.by, action.note or "")
    if state.kickoff_call is not None:  # FastTrack had reached the customer already
        return (f"Request for assistance recorded. Next: the kickoff, proposed for "
                f"{local(engagement, state.kickoff_call.start)}.")
    if state.contact_made_at is not None:
        return "Request for assistance recorded. Next: the kickoff."
    return "Request for assistance recorded; outreach stopped. Next: FastTrack contacts the customer."


def _customer_reached(engagement: EngagementParts, now: datetime) -> None:
    state = engagement.state
    state.next_outreach_at = None
    withdraw_waiting(engagement, NotificationKind.OUTREACH)  # held for business hours, and no longer true
    if state.onboarding_started_at is None:
        state.onboarding_started_at = now
        state.onboarding_deadline = engagement.policy.onboarding_deadline(now)


def check_kickoff(engagement: EngagementParts, action: KickoffHeld, now: datetime) -> None:
    state = engagement.state
    if state.contact_made_at is None and state.assistance_requested_at is None:
        raise ActionRejected(
            "The kickoff follows first contact: record the contact or the customer's request for assistance first."
        )
    problems = scope_problems(action.scope, engagement.policy)
    if problems:
        raise ActionRejected("The scope cannot be accepted: " + " ".join(problems))


def apply_kickoff(engagement: EngagementParts, action: KickoffHeld, now: datetime) -> str:
    state = engagement.state
    scope = action.scope
    state.scope = scope
    state.language = scope.language
    if scope.time_zone:
        state.time_zone, state.time_zone_assumed = scope.time_zone, False
    if state.contact_made_at is None:
        state.contact_made_at = now
    if engagement.keeps_messages_current:
        withdraw_waiting(engagement, NotificationKind.OUTREACH)
        call = state.kickoff_call
        if call is not None and call.start > now:
            cancel_call(engagement, call, now, "kickoff_held")  # the kickoff happened before the proposed call
        for message in state.scheduled_messages:  # from now on the project manager is addressed
            if message.audience is Audience.CUSTOMER and message.kind is not NotificationKind.CALL_CANCELLED:
                pm = scope.project_manager
                message.to, message.recipient_name, message.recipient_given_name = [pm.email], pm.name, pm.given_name
                message.language, message.time_zone = scope.language, state.time_zone
    goals = ", ".join(goal.value for goal in scope.goals)
    record(
        engagement,
        now,
        ActionEvent.KICKOFF_HELD,
        action.by,
        f"Scope agreed: goals {goals}; identity {scope.identity_model.value}; "
        f"MDM authority {scope.mdm_authority.value}; language {scope.language}; "
        f"project manager {scope.project_manager.name}.",
    )
    enter(engagement, Phase.ASSESS, now)
    return "Kickoff recorded; the engagement is in Assess. Next: submit the source environment."


def confirm_scope(engagement: EngagementParts, now: datetime) -> None:
    """Sends the project manager the confirmation that the scope is agreed."""
    scope = engagement.state.scope
    assert scope is not None
    notify(
        engagement,
        NotificationKind.KICKOFF_SUMMARY,
        1,
        Audience.CUSTOMER,
        "Scope agreed at the kickoff",
        now,
        facts={"project_manager": scope.project_manager.name},
    )


def _outreach_label(engagement: EngagementParts, attempt: int) -> str:
    planned = len(engagement.policy.outreach_offsets)
    if attempt <= planned:
        return f"Outreach attempt {attempt} of {planned}"
    return f"Outreach attempt {attempt} (after the contact window)"


def _outreach_after(engagement: EngagementParts, moment: datetime) -> datetime:
    policy = engagement.policy
    purchased_at = engagement.state.purchase.purchased_at
    for offset in policy.outreach_offsets:
        if purchased_at + offset > moment:
            return purchased_at + offset
    window_end = purchased_at + policy.contact_window
    interval = policy.slow_outreach_interval
    intervals_passed = max(0, (moment - window_end) // interval)
    return window_end + interval * (intervals_passed + 1)


def advance_initiate(engagement: EngagementParts, now: datetime) -> None:
    """The contact SLA and the outreach cadence, while nobody has reached the customer."""
    state = engagement.state
    if state.phase is Phase.INITIATE and state.contact_made_at is None:
        if not state.contact_sla_breached and now >= state.contact_deadline:
            state.contact_sla_breached = True
            state.escalations += 1
            record(
                engagement,
                now,
                Event.CONTACT_SLA_BREACHED,
                ORCHESTRATOR,
                f"No contact within the contact window; {state.outreach_attempts} outreach attempt(s) due.",
            )
            notify(
                engagement,
                NotificationKind.CONTACT_ESCALATION,
                state.escalations,
                Audience.FASTTRACK_MANAGER,
                "Contact SLA missed: escalated to the FastTrack manager",
                now,
                facts={"outreach_attempts": str(state.outreach_attempts)},
            )
        if state.next_outreach_at is not None and now >= state.next_outreach_at:
            state.outreach_attempts += 1
            notify(
                engagement,
                NotificationKind.OUTREACH,
                state.outreach_attempts,
                Audience.CUSTOMER,
                _outreach_label(engagement, state.outreach_attempts),
                now,
                facts={
                    "attempt": str(state.outreach_attempts),
                    "after_window": "yes" if state.contact_sla_breached else "",
                },
                moments={"contact_deadline": state.contact_deadline},
            )
            state.next_outreach_at = _outreach_after(engagement, now)


def initiate_reminders(engagement: EngagementParts) -> list[Reminder]:
    state = engagement.state
    reminders: list[Reminder] = []
    if state.phase is Phase.INITIATE and state.contact_made_at is None:
        if state.next_outreach_at is not None:
            label = _outreach_label(engagement, state.outreach_attempts + 1)
            reminders.append(Reminder(at=state.next_outreach_at, kind="outreach", summary=label))
        if not state.contact_sla_breached:
            reminders.append(
                Reminder(
                    at=state.contact_deadline,
                    kind="contact_deadline",
                    summary=f"Contact window ends {day(state.contact_deadline)}",
                )
            )
    return reminders
