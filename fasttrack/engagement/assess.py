"""Assess: the source environment, its remediation checklist, and the agreed plan."""

from __future__ import annotations

from datetime import datetime

from fasttrack.business_time import zone
from fasttrack.engagement.core import EngagementParts, day, enter, item_phrase, open_items, record
from fasttrack.engagement.outbox import notify
from fasttrack.engagement.remediate import remediation_progress
from fasttrack.errors import ActionRejected
from fasttrack.models import Audience, EnvironmentSubmitted, NotificationKind, Phase, PlanAgreed, RemediationPlan
from fasttrack.models.actions import ActionEvent
from fasttrack.rules import assess_environment


def check_environment(engagement: EngagementParts, action: EnvironmentSubmitted, now: datetime) -> None:
    if engagement.state.environment is not None:
        raise ActionRejected("The source environment was already submitted; the checklist is built from it.")


def apply_environment(engagement: EngagementParts, action: EnvironmentSubmitted, now: datetime) -> str:
    state = engagement.state
    assert state.scope is not None
    checklist, notes = assess_environment(action.environment, state.scope, engagement.policy)
    # The declared gaps live on as checklist items, in the customer's own words:
    # the record keeps them once, not twice.
    state.environment = action.environment.model_copy(update={"gaps": []})
    state.checklist = checklist
    state.scope_notes = notes
    record(
        engagement,
        now,
        ActionEvent.ENVIRONMENT_SUBMITTED,
        action.by,
        f"{len(checklist)} remediation item(s); {len(notes)} scope note(s).",
    )
    notify(
        engagement,
        NotificationKind.REMEDIATION_CHECKLIST,
        1,
        Audience.CUSTOMER,
        "Remediation checklist delivered",
        now,
        facts={"item_count": str(len(checklist))},
        lines=[item_phrase(item) for item in checklist] + notes,
    )
    return (
        f"Assessment done: {len(checklist)} remediation item(s), {len(notes)} scope note(s). "
        "Next: agree the remediation plan."
    )


def _cadence_asked(engagement: EngagementParts, action: PlanAgreed) -> str:
    return action.checkpoint_cadence or engagement.policy.default_checkpoint_cadence


def check_plan(engagement: EngagementParts, action: PlanAgreed, now: datetime) -> None:
    state, policy = engagement.state, engagement.policy
    if state.environment is None:
        raise ActionRejected("Submit the source environment first: the plan covers its remediation checklist.")
    cadence = _cadence_asked(engagement, action)
    if cadence not in policy.checkpoint_cadences:
        raise ActionRejected(
            f"Checkpoint cadence '{cadence}' is not offered; choose one of "
            f"{', '.join(policy.checkpoint_cadences)}."
        )
    today = now.astimezone(zone(state.time_zone)).date()  # the customer's today
    if action.target_date < today:
        raise ActionRejected(f"The target date {action.target_date} is in the past.")
    if action.target_date > state.onboarding_deadline.date():
        raise ActionRejected(
            f"The target date {action.target_date} is after the end of the onboarding window "
            f"({day(state.onboarding_deadline)})."
        )


def apply_plan(engagement: EngagementParts, action: PlanAgreed, now: datetime) -> str:
    cadence = _cadence_asked(engagement, action)
    engagement.state.plan = RemediationPlan(
        checkpoint_cadence=cadence, target_date=action.target_date, agreed_at=now, agreed_by=action.by
    )
    record(engagement, now, ActionEvent.PLAN_AGREED, action.by, f"Checkpoints {cadence}; target date {action.target_date}.")
    enter(engagement, Phase.REMEDIATE, now)
    remediation_progress(engagement, now)
    if not open_items(engagement):
        return "Plan recorded. The checklist is empty: next is the joint verification."
    return f"Plan recorded; {len(open_items(engagement))} item(s) to remediate, checkpoints {cadence}."
