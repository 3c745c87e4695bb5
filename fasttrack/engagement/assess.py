"""Assess: the source environment, its remediation checklist, and the agreed plan."""

from __future__ import annotations

from datetime import datetime

from fasttrack.business_time import zone
from fasttrack.contract import Event
from fasttrack.engagement.core import ActionRejected, EngagementCore, day
from fasttrack.models import Audience, EnvironmentSubmitted, NotificationKind, Phase, PlanAgreed, RemediationPlan
from fasttrack.rules import assess_environment


class AssessRules(EngagementCore):
    """From the kickoff to the remediation plan."""

    def _check_environment(self, action: EnvironmentSubmitted, now: datetime) -> None:
        if self.state.environment is not None:
            raise ActionRejected("The source environment was already submitted; the checklist is built from it.")

    def _apply_environment(self, action: EnvironmentSubmitted, now: datetime) -> str:
        assert self.state.scope is not None
        checklist, notes = assess_environment(action.environment, self.state.scope, self.policy)
        # The declared gaps live on as checklist items, in the customer's own words:
        # the record keeps them once, not twice.
        self.state.environment = action.environment.model_copy(update={"gaps": []})
        self.state.checklist = checklist
        self.state.scope_notes = notes
        self._record(
            now,
            Event.ENVIRONMENT_SUBMITTED,
            action.by,
            f"{len(checklist)} remediation item(s); {len(notes)} scope note(s).",
        )
        self._notify(
            NotificationKind.REMEDIATION_CHECKLIST,
            1,
            Audience.CUSTOMER,
            "Remediation checklist delivered",
            now,
            facts={"item_count": str(len(checklist))},
            lines=[self._item_phrase(item) for item in checklist] + notes,
        )
        return (
            f"Assessment done: {len(checklist)} remediation item(s), {len(notes)} scope note(s). "
            "Next: agree the remediation plan."
        )

    def _check_plan(self, action: PlanAgreed, now: datetime) -> None:
        if self.state.environment is None:
            raise ActionRejected("Submit the source environment first: the plan covers its remediation checklist.")
        cadence = action.checkpoint_cadence or self.policy.default_checkpoint_cadence
        if cadence not in self.policy.checkpoint_cadences:
            raise ActionRejected(
                f"Checkpoint cadence '{cadence}' is not offered; choose one of "
                f"{', '.join(self.policy.checkpoint_cadences)}."
            )
        today = now.astimezone(zone(self.state.time_zone)).date()  # the customer's today
        if action.target_date < today:
            raise ActionRejected(f"The target date {action.target_date} is in the past.")
        if action.target_date > self.state.onboarding_deadline.date():
            raise ActionRejected(
                f"The target date {action.target_date} is after the end of the onboarding window "
                f"({day(self.state.onboarding_deadline)})."
            )

    def _apply_plan(self, action: PlanAgreed, now: datetime) -> str:
        cadence = action.checkpoint_cadence or self.policy.default_checkpoint_cadence
        self.state.plan = RemediationPlan(
            checkpoint_cadence=cadence, target_date=action.target_date, agreed_at=now, agreed_by=action.by
        )
        self._record(now, Event.PLAN_AGREED, action.by, f"Checkpoints {cadence}; target date {action.target_date}.")
        self._enter(Phase.REMEDIATE, now)
        self._remediation_progress(now)
        if not self.open_items():
            return "Plan recorded. The checklist is empty: next is the joint verification."
        return f"Plan recorded; {len(self.open_items())} item(s) to remediate, checkpoints {cadence}."
