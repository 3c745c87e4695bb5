"""Who must act next on an open engagement, what, and by when: the FastTrack team's
board sorts and filters by it, from the search attributes the workflow publishes
(workflows/publishing.py). Presentation of the rules only: it decides nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fasttrack.engagement.core import EngagementParts, open_items
from fasttrack.engagement.remediate import next_stall_reminder_at
from fasttrack.models import ItemStatus, Owner, Phase, TaskNeeds


class Actor(StrEnum):
    # Search attribute words, in histories: never rename one.
    CUSTOMER = "customer"
    FASTTRACK = "fasttrack"


class StepKind(StrEnum):
    """The next step, one word per kind; its sentence and its command are the board's."""

    # Search attribute words, in histories: never rename one.
    CHECK_ELIGIBILITY = "check-eligibility"
    REACH_CUSTOMER = "reach-customer"
    HOLD_KICKOFF = "hold-kickoff"
    SUBMIT_ENVIRONMENT = "submit-environment"
    AGREE_PLAN = "agree-plan"
    COMPLETE_ITEMS = "complete-items"
    VERIFY_REMEDIATION = "verify-remediation"
    ENROLL_DEVICE = "enroll-device"
    SELECT_APP = "select-app"
    COMPLETE_TASKS = "complete-tasks"


class DeadlineKind(StrEnum):
    # Search attribute words, in histories: never rename one.
    CONTACT_SLA = "contact-sla"
    ONBOARDING_WINDOW = "onboarding-window"
    CALL = "call"
    STALL_REMINDER = "stall-reminder"


@dataclass(frozen=True)
class NextStep:
    actor: Actor
    step: StepKind
    deadline: datetime  # may be past: what is late sorts first
    deadline_kind: DeadlineKind


def _customers(owner: Owner) -> bool:
    # Shared work is the customer's to report done (their page offers it): FastTrack waits on them.
    return owner is not Owner.FASTTRACK


def _step(engagement: EngagementParts) -> tuple[Actor, StepKind]:
    state = engagement.state
    phase = state.phase
    if phase is Phase.ELIGIBILITY:
        return Actor.FASTTRACK, StepKind.CHECK_ELIGIBILITY
    if phase is Phase.INITIATE:
        return Actor.FASTTRACK, StepKind.REACH_CUSTOMER if state.contact_made_at is None else StepKind.HOLD_KICKOFF
    if phase is Phase.ASSESS:
        if state.environment is None:
            return Actor.CUSTOMER, StepKind.SUBMIT_ENVIRONMENT
        return Actor.FASTTRACK, StepKind.AGREE_PLAN
    if phase is Phase.REMEDIATE:
        items = open_items(engagement)
        if not items:
            return Actor.FASTTRACK, StepKind.VERIFY_REMEDIATION
        return (Actor.CUSTOMER if any(_customers(item.owner) for item in items) else Actor.FASTTRACK,
                StepKind.COMPLETE_ITEMS)
    tasks = [task for task in state.tasks if task.status is ItemStatus.OPEN]
    if any(task.needs is TaskNeeds.TEST_DEVICE for task in tasks) and not state.test_devices:
        return Actor.CUSTOMER, StepKind.ENROLL_DEVICE
    if any(task.needs is TaskNeeds.APP for task in tasks) and not state.apps:
        return Actor.CUSTOMER, StepKind.SELECT_APP
    return (Actor.CUSTOMER if any(_customers(task.owner) for task in tasks) else Actor.FASTTRACK,
            StepKind.COMPLETE_TASKS)


def _deadlines(engagement: EngagementParts) -> list[tuple[datetime, DeadlineKind]]:
    state = engagement.state
    deadlines = [(state.onboarding_deadline, DeadlineKind.ONBOARDING_WINDOW)]
    if state.phase is Phase.INITIATE and state.contact_made_at is None:
        deadlines.append((state.contact_deadline, DeadlineKind.CONTACT_SLA))
    for call in (state.kickoff_call, state.next_checkpoint):
        if call is not None and not call.cancelled and (call is state.next_checkpoint or state.phase is Phase.INITIATE):
            deadlines.append((call.start, DeadlineKind.CALL))
    stall = next_stall_reminder_at(engagement)
    if stall is not None:
        deadlines.append((stall, DeadlineKind.STALL_REMINDER))
    return deadlines


def next_step(engagement: EngagementParts) -> NextStep | None:
    """None once the engagement has closed. The deadline is the nearest of the contact SLA,
    the next call, the next stall reminder and the 12-month window; on a tie the first named."""
    if engagement.state.phase.is_closed:
        return None
    actor, step = _step(engagement)
    deadline, kind = min(_deadlines(engagement), key=lambda candidate: candidate[0])
    return NextStep(actor, step, deadline, kind)
