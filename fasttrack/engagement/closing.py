"""Closing: withdrawal, expiry and its warning, the outcome and what was left open."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.calls import cancel_call
from fasttrack.engagement.core import (
    ORCHESTRATOR,
    EngagementParts,
    day,
    enter,
    item_phrase,
    open_items,
    open_tasks,
    record,
)
from fasttrack.engagement.outbox import notify, withdraw_waiting
from fasttrack.messages import lookup, phrase
from fasttrack.models import (
    Audience,
    EngagementResult,
    NotificationKind,
    Outcome,
    Phase,
    Phrase,
    Reminder,
    Withdrawal,
)
from fasttrack.models.actions import ActionEvent
from fasttrack.report import engagement_report


def check_withdrawal(engagement: EngagementParts, action: Withdrawal, now: datetime) -> None:
    pass  # any open engagement may be withdrawn; ``check`` already refuses closed ones


def apply_withdrawal(engagement: EngagementParts, action: Withdrawal, now: datetime) -> str:
    record(engagement, now, ActionEvent.WITHDRAWN, action.by, action.reason)
    close(engagement, Phase.WITHDRAWN, now, reasons=[Phrase(text=action.reason)])
    return "The engagement is withdrawn."


def close(engagement: EngagementParts, status: Phase, now: datetime, reasons: list[Phrase] | None = None) -> None:
    state = engagement.state
    reasons = reasons or []
    withdraw_waiting(engagement, NotificationKind.OUTREACH, NotificationKind.REMEDIATION_STALLED)
    left = [] if status in (Phase.COMPLETED, Phase.INELIGIBLE) else open_work_phrases(engagement)
    state.outcome = Outcome(
        status=status, at=now, reasons=[reason.text for reason in reasons], left=[item.english() for item in left]
    )
    state.next_outreach_at = None
    if state.scope is None and state.kickoff_call is not None:
        cancel_call(engagement, state.kickoff_call, now, "engagement_closed")
    cancel_call(engagement, state.next_checkpoint, now, "engagement_closed")
    state.next_checkpoint = None
    enter(engagement, status, now)
    notify(
        engagement,
        NotificationKind.ENGAGEMENT_CLOSED,
        1,
        Audience.CUSTOMER,
        f"Engagement {status.value}",
        now,
        facts={"outcome": status.value},
        lines=reasons + left,
        attachment_markdown=engagement_report(state),
    )


def expire_if_due(engagement: EngagementParts, now: datetime) -> bool:
    """Closes the engagement as expired once the onboarding window has ended."""
    deadline = engagement.state.onboarding_deadline
    if now < deadline:
        return False
    record(engagement, now, Event.EXPIRED, ORCHESTRATOR, f"Onboarding window ended {day(deadline)}.")
    close(engagement, Phase.EXPIRED, now, reasons=[phrase("reasons.window_ended")])
    return True


def warn_of_deadline(engagement: EngagementParts, now: datetime) -> None:
    """The FastTrack manager hears of the work still open, once per deadline."""
    state = engagement.state
    warning_at = _deadline_warning_at(engagement)
    if warning_at is not None and now >= warning_at:
        state.deadline_warning_for = state.onboarding_deadline
        ends = day(state.onboarding_deadline)
        record(engagement, now, Event.DEADLINE_WARNING, ORCHESTRATOR, f"Onboarding window ends {ends}.")
        notify(
            engagement,
            NotificationKind.DEADLINE_ESCALATION,
            day(state.onboarding_deadline),
            Audience.FASTTRACK_MANAGER,
            "Onboarding window ending with work open: escalated to the FastTrack manager",
            now,
            moments={"deadline": state.onboarding_deadline},
            lines=open_work_phrases(engagement),
        )


def _deadline_warning_at(engagement: EngagementParts) -> datetime | None:
    state = engagement.state
    if state.deadline_warning_for == state.onboarding_deadline:
        return None
    return state.onboarding_deadline - engagement.policy.deadline_warning_before


def closing_reminders(engagement: EngagementParts) -> list[Reminder]:
    deadline = engagement.state.onboarding_deadline
    reminders = [
        Reminder(at=deadline, kind="onboarding_deadline", summary=f"Onboarding window ends {day(deadline)}")
    ]
    warning_at = _deadline_warning_at(engagement)
    if warning_at is not None:
        reminders.append(
            Reminder(at=warning_at, kind="deadline_warning", summary="Onboarding deadline warning to the manager")
        )
    return reminders


def open_work_phrases(engagement: EngagementParts) -> list[Phrase]:
    """What is still to do; listed when an engagement closes early or nears its deadline."""
    state = engagement.state
    phase = state.phase
    left: list[Phrase] = []
    if phase is Phase.INITIATE:
        if state.contact_made_at is None:
            left.append(phrase("work.contact", label_key="phases.initiate"))
        left.append(phrase("work.kickoff", label_key="phases.initiate"))
    if phase is Phase.ASSESS:
        if state.environment is None:
            left.append(phrase("work.environment", label_key="phases.assess"))
        left.append(phrase("work.plan", label_key="phases.assess"))
    if phase is Phase.REMEDIATE:
        left += [item_phrase(item, "phases.remediate") for item in open_items(engagement)]
        left.append(phrase("work.verification", label_key="phases.remediate"))
    if phase in (Phase.ENABLE_CORE, Phase.ENABLE_INTUNE):
        label_key = f"phases.{phase.value}"
        left += [
            Phrase(text=task.title, key=f"tasks.{task.text_key}", ref=task.id, label_key=label_key,
                   label=lookup("en", label_key))
            for task in open_tasks(engagement)
        ]
    upcoming = [Phase.ASSESS, Phase.REMEDIATE, Phase.ENABLE_CORE, Phase.ENABLE_INTUNE]
    if phase is Phase.INITIATE or phase in upcoming:
        later = upcoming if phase is Phase.INITIATE else upcoming[upcoming.index(phase) + 1:]
        left += [phrase("work.not_started", label_key=f"phases.{stage.value}") for stage in later]
    return left


def open_work(engagement: EngagementParts) -> list[str]:
    return [words.english() for words in open_work_phrases(engagement)]


def result(engagement: EngagementParts) -> EngagementResult:
    state = engagement.state
    assert state.outcome is not None
    return EngagementResult(
        engagement_id=state.engagement_id,
        outcome=state.outcome,
        timeline=list(state.timeline),
        message_delivery_id=state.message_delivery_id,
    )
