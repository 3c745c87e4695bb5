"""Remediate: checklist items, checkpoint calls, stall reminders, the joint verification."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import ORCHESTRATOR, ActionRejected, EngagementCore, day
from fasttrack.models import (
    Audience,
    CallKind,
    CheckpointHeld,
    ItemStatus,
    NotificationKind,
    Phase,
    RemediationItemDone,
    Reminder,
    ScheduledCall,
    VerificationResult,
)
from fasttrack.rules import core_tasks


class RemediateRules(EngagementCore):
    """From the plan to the approved verification."""

    def _check_item_done(self, action: RemediationItemDone, now: datetime) -> None:
        item = self._find_item(action.item_id)
        if item.status is ItemStatus.DONE:
            raise ActionRejected(f"Checklist item '{item.id}' is already done (on {day(item.done_at)}).")

    def _apply_item_done(self, action: RemediationItemDone, now: datetime) -> str:
        item = self._find_item(action.item_id)
        item.status, item.done_at, item.done_by = ItemStatus.DONE, now, action.by
        self._record(now, Event.REMEDIATION_ITEM_DONE, action.by, f"[{item.id}] {item.description}")
        self._remediation_progress(now)
        remaining = len(self.open_items())
        if remaining:
            return f"Item '{item.id}' done; {remaining} item(s) still open."
        return f"Item '{item.id}' done; every item is done. Next: the joint verification."

    def _check_checkpoint(self, action: CheckpointHeld, now: datetime) -> None:
        pass  # any number of checkpoint calls may be held in Remediate

    def _apply_checkpoint(self, action: CheckpointHeld, now: datetime) -> str:
        self.state.checkpoints_held += 1
        detail = action.note or f"Checkpoint call {self.state.checkpoints_held}"
        self._record(now, Event.CHECKPOINT_HELD, action.by, detail)
        return f"Checkpoint call {self.state.checkpoints_held} recorded."

    def _check_verification(self, action: VerificationResult, now: datetime) -> None:
        if action.approved:
            if action.reopen_item_ids:
                raise ActionRejected("An approval reopens nothing: leave reopen_item_ids empty, or reject.")
            open_items = self.open_items()
            if open_items:
                names = ", ".join(item.id for item in open_items)
                raise ActionRejected(f"Verification cannot pass while items are open: {names}.")
            return
        if not action.reopen_item_ids:
            if not self.state.checklist:
                raise ActionRejected("The checklist is empty, so a rejection has nothing to reopen.")
            raise ActionRejected("A rejection must name the checklist items to reopen (reopen_item_ids).")
        if len(set(action.reopen_item_ids)) != len(action.reopen_item_ids):
            raise ActionRejected("Each item to reopen may be named once.")
        for item_id in action.reopen_item_ids:
            item = self._find_item(item_id)
            if item.status is not ItemStatus.DONE:
                raise ActionRejected(f"Checklist item '{item.id}' is still open; only done items can be reopened.")

    def _apply_verification(self, action: VerificationResult, now: datetime) -> str:
        if action.approved:
            for item in self.state.checklist:
                item.verified = True
            self.state.remediation_verified_at = now
            if self.drops_superseded_messages:  # still waiting for business hours, and no longer true
                self._withdraw_waiting(NotificationKind.VERIFICATION_REJECTED, NotificationKind.REMEDIATION_CHECKLIST)
            self._record(now, Event.VERIFICATION_APPROVED, action.by, action.note or "Remediation verified jointly.")
            assert self.state.scope is not None
            self.state.tasks = core_tasks(self.state.scope, self.state.environment)
            self._enter(Phase.ENABLE_CORE, now)
            return f"Verification passed; Enable starts with {len(self.state.tasks)} core-capability task(s)."
        for item_id in action.reopen_item_ids:
            item = self._find_item(item_id)
            item.status, item.done_at, item.done_by = ItemStatus.OPEN, None, None
            item.times_reopened += 1
        self.state.verification_rejections += 1
        reopened = ", ".join(action.reopen_item_ids)
        self._record(now, Event.VERIFICATION_REJECTED, action.by, f"Reopened: {reopened}. {action.note or ''}".strip())
        self._remediation_progress(now)
        if self.drops_superseded_messages:  # an earlier rejection's list, still waiting: this one replaces it
            self._withdraw_waiting(NotificationKind.VERIFICATION_REJECTED)
        self._notify(
            NotificationKind.VERIFICATION_REJECTED,
            self.state.verification_rejections,
            Audience.CUSTOMER,
            f"Verification {self.state.verification_rejections}: items reopened",
            now,
            lines=[self._item_phrase(item) for item in self.open_items()],
            facts={"note": action.note or ""},
        )
        return f"Verification rejected; reopened {reopened}."

    def _remediation_progress(self, now: datetime) -> None:
        """Resets the stall clock; invites to the next checkpoint call while items
        are open, and cancels the invitation once none is."""
        self.state.last_remediation_progress_at = now
        self.state.remediation_stalled = False
        self.state.stall_reminders_sent_since_progress = 0
        self._withdraw_waiting(NotificationKind.REMEDIATION_STALLED)
        if not self.open_items():
            self._cancel_call(self.state.next_checkpoint, now, "remediation_done")
            self.state.next_checkpoint = None
            return
        if self.state.next_checkpoint is None:
            self._schedule_checkpoint(now + self._cadence(), now)

    def _schedule_checkpoint(self, due: datetime, now: datetime) -> None:
        self.state.checkpoint_calls_scheduled += 1
        number = self.state.checkpoint_calls_scheduled
        start = self._business_slot(due)
        self.state.next_checkpoint = ScheduledCall(
            kind=CallKind.CHECKPOINT,
            number=number,
            uid=f"checkpoint-{number}.{self.state.engagement_id}@fasttrack-orchestrator",
            start=start,
            end=start + self.policy.call_duration,
        )
        self._invite(self.state.next_checkpoint, now)

    def _cadence(self):
        assert self.state.plan is not None
        return self.policy.checkpoint_cadences[self.state.plan.checkpoint_cadence]

    def _next_stall_reminder_at(self) -> datetime | None:
        if self.state.phase is not Phase.REMEDIATE or not self.open_items():
            return None
        assert self.state.last_remediation_progress_at is not None
        waits = self.state.stall_reminders_sent_since_progress + 1
        return self.state.last_remediation_progress_at + self.policy.remediation_stall_after * waits

    def _advance_remediate(self, now: datetime) -> None:
        """Checkpoint calls on the agreed cadence, and stall reminders while nothing moves."""
        state = self.state
        checkpoint = state.next_checkpoint
        if checkpoint is not None and now >= checkpoint.start:
            self._record(now, Event.CHECKPOINT_CALL_DUE, ORCHESTRATOR, f"Checkpoint call {checkpoint.number}")
            state.next_checkpoint = None
            due = checkpoint.start + self._cadence()
            while self.keeps_messages_current and due <= now:  # late (the workflow was down): no past calls
                due += self._cadence()
            self._schedule_checkpoint(due, now)
        stall_at = self._next_stall_reminder_at()
        if stall_at is not None and now >= stall_at:
            state.remediation_stalled = True
            state.stall_reminders_sent += 1
            state.stall_reminders_sent_since_progress += 1
            first_of_this_stall = state.stall_reminders_sent_since_progress == 1
            since = state.last_remediation_progress_at
            self._record(now, Event.REMEDIATION_STALLED, ORCHESTRATOR, f"No remediation progress since {day(since)}.")
            open_lines = [self._item_phrase(item) for item in self.open_items()]
            self._notify(
                NotificationKind.REMEDIATION_STALLED,
                state.stall_reminders_sent,
                Audience.CUSTOMER,
                f"Remediation stall reminder {state.stall_reminders_sent}",
                now,
                moments={"since": since},
                lines=open_lines,
            )
            while self.keeps_messages_current and (self._next_stall_reminder_at() or now) <= now:
                state.stall_reminders_sent_since_progress += 1  # late: one reminder, not one per missed interval
            if self.policy.remediation_stall_escalation and first_of_this_stall:
                self._notify(
                    NotificationKind.STALL_ESCALATION,
                    state.stall_reminders_sent,
                    Audience.FASTTRACK_MANAGER,
                    "Remediation stalled: escalated to the FastTrack manager",
                    now,
                    moments={"since": since},
                    lines=open_lines,
                )

    def _remediate_reminders(self) -> list[Reminder]:
        state = self.state
        reminders: list[Reminder] = []
        if state.next_checkpoint is not None:
            reminders.append(
                Reminder(
                    at=state.next_checkpoint.start,
                    kind="checkpoint_call",
                    summary=f"Checkpoint call {state.next_checkpoint.number}",
                )
            )
        stall_at = self._next_stall_reminder_at()
        if stall_at is not None:
            reminders.append(Reminder(at=stall_at, kind="stall_reminder", summary="Remediation stall reminder"))
        return reminders
