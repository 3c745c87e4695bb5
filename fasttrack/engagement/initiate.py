"""Initiate: first contact, outreach inside the contact window, the contact SLA, the kickoff."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import ORCHESTRATOR, ActionRejected, EngagementCore, day
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
from fasttrack.rules import scope_problems


class InitiateRules(EngagementCore):
    """Until the kickoff: reaching the customer, and agreeing the scope."""

    def _check_contact(self, action: ContactMade, now: datetime) -> None:
        if self.state.contact_made_at is not None:
            raise ActionRejected(f"Contact was already recorded on {day(self.state.contact_made_at)}.")

    def _apply_contact(self, action: ContactMade, now: datetime) -> str:
        self.state.contact_made_at = now
        self._customer_reached(now)
        self._record(now, Event.CONTACT_MADE, action.by, action.note or "")
        start = self._business_slot(now + self.policy.kickoff_lead)
        self.state.kickoff_call = ScheduledCall(
            kind=CallKind.KICKOFF,
            uid=f"kickoff.{self.state.engagement_id}@fasttrack-orchestrator",
            start=start,
            end=start + self.policy.call_duration,
        )
        self._invite(self.state.kickoff_call, now)
        return f"Contact recorded; outreach stopped. Kickoff proposed for {self._local(start)}."

    def _check_assistance(self, action: AssistanceRequested, now: datetime) -> None:
        if self.state.assistance_requested_at is not None:
            raise ActionRejected(
                f"Assistance was already requested on {day(self.state.assistance_requested_at)}."
            )

    def _apply_assistance(self, action: AssistanceRequested, now: datetime) -> str:
        self.state.assistance_requested_at = now
        self._customer_reached(now)
        self._record(now, Event.ASSISTANCE_REQUESTED, action.by, action.note or "")
        if self.state.kickoff_call is not None:  # FastTrack had reached the customer already
            return (f"Request for assistance recorded. Next: the kickoff, proposed for "
                    f"{self._local(self.state.kickoff_call.start)}.")
        if self.state.contact_made_at is not None:
            return "Request for assistance recorded. Next: the kickoff."
        return "Request for assistance recorded; outreach stopped. Next: FastTrack contacts the customer."

    def _customer_reached(self, now: datetime) -> None:
        self.state.next_outreach_at = None
        self._withdraw_waiting(NotificationKind.OUTREACH)  # held for business hours, and no longer true
        if self.state.onboarding_started_at is None:
            self.state.onboarding_started_at = now
            self.state.onboarding_deadline = self.policy.onboarding_deadline(now)

    def _check_kickoff(self, action: KickoffHeld, now: datetime) -> None:
        if self.state.contact_made_at is None and self.state.assistance_requested_at is None:
            raise ActionRejected(
                "The kickoff follows first contact: record the contact or the customer's request for assistance first."
            )
        problems = scope_problems(action.scope, self.policy)
        if problems:
            raise ActionRejected("The scope cannot be accepted: " + " ".join(problems))

    def _apply_kickoff(self, action: KickoffHeld, now: datetime) -> str:
        scope = action.scope
        self.state.scope = scope
        self.state.language = scope.language
        if scope.time_zone:
            self.state.time_zone, self.state.time_zone_assumed = scope.time_zone, False
        if self.state.contact_made_at is None:
            self.state.contact_made_at = now
        if self.keeps_messages_current:
            self._withdraw_waiting(NotificationKind.OUTREACH)
            call = self.state.kickoff_call
            if call is not None and call.start > now:
                self._cancel_call(call, now, "kickoff_held")  # the kickoff happened before the proposed call
            for message in self.state.scheduled_messages:  # from now on the project manager is addressed
                if message.audience is Audience.CUSTOMER and message.kind is not NotificationKind.CALL_CANCELLED:
                    message.to, message.recipient_name = [scope.project_manager.email], scope.project_manager.name
                    message.language, message.time_zone = scope.language, self.state.time_zone
        goals = ", ".join(goal.value for goal in scope.goals)
        self._record(
            now,
            Event.KICKOFF_HELD,
            action.by,
            f"Scope agreed: goals {goals}; identity {scope.identity_model.value}; "
            f"MDM authority {scope.mdm_authority.value}; language {scope.language}; "
            f"project manager {scope.project_manager.name}.",
        )
        self._enter(Phase.ASSESS, now)
        return "Kickoff recorded; the engagement is in Assess. Next: submit the source environment."

    def confirm_scope(self, now: datetime) -> None:
        """Sends the project manager the confirmation that the scope is agreed."""
        assert self.state.scope is not None
        self._notify(
            NotificationKind.KICKOFF_SUMMARY,
            1,
            Audience.CUSTOMER,
            "Scope agreed at the kickoff",
            now,
            facts={"project_manager": self.state.scope.project_manager.name},
        )

    def _outreach_label(self, attempt: int) -> str:
        planned = len(self.policy.outreach_offsets)
        if attempt <= planned:
            return f"Outreach attempt {attempt} of {planned}"
        return f"Outreach attempt {attempt} (after the contact window)"

    def _outreach_after(self, moment: datetime) -> datetime:
        purchased_at = self.state.purchase.purchased_at
        for offset in self.policy.outreach_offsets:
            if purchased_at + offset > moment:
                return purchased_at + offset
        window_end = purchased_at + self.policy.contact_window
        interval = self.policy.slow_outreach_interval
        intervals_passed = max(0, (moment - window_end) // interval)
        return window_end + interval * (intervals_passed + 1)

    def _advance_initiate(self, now: datetime) -> None:
        """The contact SLA and the outreach cadence, while nobody has reached the customer."""
        state = self.state
        if state.phase is Phase.INITIATE and state.contact_made_at is None:
            if not state.contact_sla_breached and now >= state.contact_deadline:
                state.contact_sla_breached = True
                state.escalations += 1
                self._record(
                    now,
                    Event.CONTACT_SLA_BREACHED,
                    ORCHESTRATOR,
                    f"No contact within the contact window; {state.outreach_attempts} outreach attempt(s) due.",
                )
                self._notify(
                    NotificationKind.CONTACT_ESCALATION,
                    state.escalations,
                    Audience.FASTTRACK_MANAGER,
                    "Contact SLA missed: escalated to the FastTrack manager",
                    now,
                    facts={"outreach_attempts": str(state.outreach_attempts)},
                )
            if state.next_outreach_at is not None and now >= state.next_outreach_at:
                state.outreach_attempts += 1
                self._notify(
                    NotificationKind.OUTREACH,
                    state.outreach_attempts,
                    Audience.CUSTOMER,
                    self._outreach_label(state.outreach_attempts),
                    now,
                    facts={
                        "attempt": str(state.outreach_attempts),
                        "after_window": "yes" if state.contact_sla_breached else "",
                    },
                    moments={"contact_deadline": state.contact_deadline},
                )
                state.next_outreach_at = self._outreach_after(now)

    def _initiate_reminders(self) -> list[Reminder]:
        state = self.state
        reminders: list[Reminder] = []
        if state.phase is Phase.INITIATE and state.contact_made_at is None:
            if state.next_outreach_at is not None:
                attempt = state.outreach_attempts + 1
                reminders.append(
                    Reminder(at=state.next_outreach_at, kind="outreach", summary=self._outreach_label(attempt))
                )
            if not state.contact_sla_breached:
                reminders.append(
                    Reminder(
                        at=state.contact_deadline,
                        kind="contact_deadline",
                        summary=f"Contact window ends {day(state.contact_deadline)}",
                    )
                )
        return reminders
