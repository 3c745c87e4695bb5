"""Closing: withdrawal, expiry and its warning, the outcome and what was left open."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import ORCHESTRATOR, EngagementCore, day
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
from fasttrack.report import engagement_report


class ClosingRules(EngagementCore):
    """How an engagement ends, whichever way it does."""

    def _check_withdrawal(self, action: Withdrawal, now: datetime) -> None:
        pass  # any open engagement may be withdrawn; ``check`` already refuses closed ones

    def _apply_withdrawal(self, action: Withdrawal, now: datetime) -> str:
        self._record(now, Event.WITHDRAWN, action.by, action.reason)
        self._close(Phase.WITHDRAWN, now, reasons=[Phrase(text=action.reason)])
        return "The engagement is withdrawn."

    def _close(self, status: Phase, now: datetime, reasons: list[Phrase] | None = None) -> None:
        reasons = reasons or []
        self._withdraw_waiting(NotificationKind.OUTREACH, NotificationKind.REMEDIATION_STALLED)
        left = [] if status in (Phase.COMPLETED, Phase.INELIGIBLE) else self.open_work_phrases()
        self.state.outcome = Outcome(
            status=status, at=now, reasons=[reason.text for reason in reasons], left=[item.english() for item in left]
        )
        self.state.next_outreach_at = None
        if self.state.scope is None and self.state.kickoff_call is not None:
            self._cancel_call(self.state.kickoff_call, now, "engagement_closed")
        self._cancel_call(self.state.next_checkpoint, now, "engagement_closed")
        self.state.next_checkpoint = None
        self._enter(status, now)
        self._notify(
            NotificationKind.ENGAGEMENT_CLOSED,
            1,
            Audience.CUSTOMER,
            f"Engagement {status.value}",
            now,
            facts={"outcome": status.value},
            lines=reasons + left,
            attachment_markdown=engagement_report(self.state),
        )

    def _expire_if_due(self, now: datetime) -> bool:
        """Closes the engagement as expired once the onboarding window has ended."""
        state = self.state
        if now < state.onboarding_deadline:
            return False
        self._record(now, Event.EXPIRED, ORCHESTRATOR, f"Onboarding window ended {day(state.onboarding_deadline)}.")
        self._close(Phase.EXPIRED, now, reasons=[phrase("reasons.window_ended")])
        return True

    def _warn_of_deadline(self, now: datetime) -> None:
        """The FastTrack manager hears of the work still open, once per deadline."""
        state = self.state
        warning_at = self._deadline_warning_at()
        if warning_at is not None and now >= warning_at:
            state.deadline_warning_for = state.onboarding_deadline
            ends = day(state.onboarding_deadline)
            self._record(now, Event.DEADLINE_WARNING, ORCHESTRATOR, f"Onboarding window ends {ends}.")
            self._notify(
                NotificationKind.DEADLINE_ESCALATION,
                day(state.onboarding_deadline),
                Audience.FASTTRACK_MANAGER,
                "Onboarding window ending with work open: escalated to the FastTrack manager",
                now,
                moments={"deadline": state.onboarding_deadline},
                lines=self.open_work_phrases(),
            )

    def _deadline_warning_at(self) -> datetime | None:
        if self.state.deadline_warning_for == self.state.onboarding_deadline:
            return None
        return self.state.onboarding_deadline - self.policy.deadline_warning_before

    def _closing_reminders(self) -> list[Reminder]:
        state = self.state
        reminders = [
            Reminder(
                at=state.onboarding_deadline,
                kind="onboarding_deadline",
                summary=f"Onboarding window ends {day(state.onboarding_deadline)}",
            )
        ]
        warning_at = self._deadline_warning_at()
        if warning_at is not None:
            reminders.append(
                Reminder(at=warning_at, kind="deadline_warning", summary="Onboarding deadline warning to the manager")
            )
        return reminders

    def open_work_phrases(self) -> list[Phrase]:
        """What is still to do; listed when an engagement closes early or nears its deadline."""
        state = self.state
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
            left += [self._item_phrase(item, "phases.remediate") for item in self.open_items()]
            left.append(phrase("work.verification", label_key="phases.remediate"))
        if phase in (Phase.ENABLE_CORE, Phase.ENABLE_INTUNE):
            label_key = f"phases.{phase.value}"
            left += [
                Phrase(text=task.title, key=f"tasks.{task.text_key}", ref=task.id, label_key=label_key,
                       label=lookup("en", label_key))
                for task in self._open_tasks()
            ]
        upcoming = [Phase.ASSESS, Phase.REMEDIATE, Phase.ENABLE_CORE, Phase.ENABLE_INTUNE]
        if phase is Phase.INITIATE or phase in upcoming:
            later = upcoming if phase is Phase.INITIATE else upcoming[upcoming.index(phase) + 1:]
            left += [phrase("work.not_started", label_key=f"phases.{stage.value}") for stage in later]
        return left

    def open_work(self) -> list[str]:
        return [words.english() for words in self.open_work_phrases()]

    def result(self) -> EngagementResult:
        assert self.state.outcome is not None
        return EngagementResult(
            engagement_id=self.state.engagement_id,
            outcome=self.state.outcome,
            timeline=list(self.state.timeline),
            message_delivery_id=self.state.message_delivery_id,
        )
