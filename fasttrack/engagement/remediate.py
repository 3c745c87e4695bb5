"""Remediate: checklist items, checkpoint calls, stall reminders, the joint verification."""

from __future__ import annotations

from datetime import datetime, timedelta

from fasttrack.contract import Event
from fasttrack.engagement.calls import cancel_call, invite
from fasttrack.engagement.core import (
    EngagementParts,
    ORCHESTRATOR,
    business_slot,
    day,
    enter,
    find_item,
    item_phrase,
    open_items,
    record,
    with_note,
)
from fasttrack.engagement.outbox import notify, withdraw_waiting
from fasttrack.errors import ActionRejected
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
from fasttrack.models.actions import ActionEvent
from fasttrack.rules import core_tasks


def check_item_done(engagement: EngagementParts, action: RemediationItemDone, now: datetime) -> None:
    item = find_item(engagement, action.item_id)
    if item.status is ItemStatus.DONE:
        on = f" (on {day(item.done_at)})" if item.done_at else ""
        raise ActionRejected(f"Checklist item '{item.id}' is already done{on}.")


def apply_item_done(engagement: EngagementParts, action: RemediationItemDone, now: datetime) -> str:
    item = find_item(engagement, action.item_id)
    item.status, item.done_at, item.done_by = ItemStatus.DONE, now, action.by
    record(engagement, now, ActionEvent.REMEDIATION_ITEM_DONE, action.by,
           with_note(f"[{item.id}] {item.description}", action.note))
    remediation_progress(engagement, now)
    remaining = len(open_items(engagement))
    if remaining:
        return f"Item '{item.id}' done; {remaining} item(s) still open."
    return f"Item '{item.id}' done; every item is done. Next: the joint verification."


def check_checkpoint(engagement: EngagementParts, action: CheckpointHeld, now: datetime) -> None:
    pass  # any number of checkpoint calls may be held in Remediate


def apply_checkpoint(engagement: EngagementParts, action: CheckpointHeld, now: datetime) -> str:
    state = engagement.state
    state.checkpoints_held += 1
    detail = action.note or f"Checkpoint call {state.checkpoints_held}"
    record(engagement, now, ActionEvent.CHECKPOINT_HELD, action.by, detail)
    return f"Checkpoint call {state.checkpoints_held} recorded."


def check_verification(engagement: EngagementParts, action: VerificationResult, now: datetime) -> None:
    if action.approved:
        if action.reopen_item_ids:
            raise ActionRejected("An approval reopens nothing: leave reopen_item_ids empty, or reject.")
        still_open = open_items(engagement)
        if still_open:
            names = ", ".join(item.id for item in still_open)
            raise ActionRejected(f"Verification cannot pass while items are open: {names}.")
        return
    if not action.reopen_item_ids:
        if not engagement.state.checklist:
            raise ActionRejected("The checklist is empty, so a rejection has nothing to reopen.")
        raise ActionRejected("A rejection must name the checklist items to reopen (reopen_item_ids).")
    if len(set(action.reopen_item_ids)) != len(action.reopen_item_ids):
        raise ActionRejected("Each item to reopen may be named once.")
    for item_id in action.reopen_item_ids:
        item = find_item(engagement, item_id)
        if item.status is not ItemStatus.DONE:
            raise ActionRejected(f"Checklist item '{item.id}' is still open; only done items can be reopened.")


def apply_verification(engagement: EngagementParts, action: VerificationResult, now: datetime) -> str:
    if action.approved:
        return _verification_approved(engagement, action, now)
    return _verification_rejected(engagement, action, now)


def _verification_approved(engagement: EngagementParts, action: VerificationResult, now: datetime) -> str:
    state = engagement.state
    for item in state.checklist:
        item.verified = True
    state.remediation_verified_at = now
    if engagement.drops_superseded_messages:  # still waiting for business hours, and no longer true
        withdraw_waiting(engagement, NotificationKind.VERIFICATION_REJECTED, NotificationKind.REMEDIATION_CHECKLIST)
    record(engagement, now, ActionEvent.VERIFICATION_APPROVED, action.by, action.note or "Remediation verified jointly.")
    assert state.scope is not None
    state.tasks = core_tasks(state.scope, state.environment)
    enter(engagement, Phase.ENABLE_CORE, now)
    return f"Verification passed; Enable starts with {len(state.tasks)} core-capability task(s)."


def _verification_rejected(engagement: EngagementParts, action: VerificationResult, now: datetime) -> str:
    state = engagement.state
    for item_id in action.reopen_item_ids:
        item = find_item(engagement, item_id)
        item.status, item.done_at, item.done_by = ItemStatus.OPEN, None, None
        item.times_reopened += 1
    state.verification_rejections += 1
    reopened = ", ".join(action.reopen_item_ids)
    detail = f"Reopened: {reopened}. {action.note or ''}".strip()
    record(engagement, now, ActionEvent.VERIFICATION_REJECTED, action.by, detail)
    remediation_progress(engagement, now)
    if engagement.drops_superseded_messages:  # an earlier rejection's list, still waiting: this one replaces it
        withdraw_waiting(engagement, NotificationKind.VERIFICATION_REJECTED)
    notify(
        engagement,
        NotificationKind.VERIFICATION_REJECTED,
        state.verification_rejections,
        Audience.CUSTOMER,
        f"Verification {state.verification_rejections}: items reopened",
        now,
        lines=[item_phrase(item) for item in open_items(engagement)],
        facts={"note": action.note or ""},
    )
    return f"Verification rejected; reopened {reopened}."


def remediation_progress(engagement: EngagementParts, now: datetime) -> None:
    """Resets the stall clock; invites to the next checkpoint call while items
    are open, and cancels the invitation once none is."""
    state = engagement.state
    state.last_remediation_progress_at = now
    state.remediation_stalled = False
    state.stall_reminders_sent_since_progress = 0
    withdraw_waiting(engagement, NotificationKind.REMEDIATION_STALLED)
    if not open_items(engagement):
        cancel_call(engagement, state.next_checkpoint, now, "remediation_done")
        state.next_checkpoint = None
        return
    if state.next_checkpoint is None:
        _schedule_checkpoint(engagement, now + _cadence(engagement), now)


def _schedule_checkpoint(engagement: EngagementParts, due: datetime, now: datetime) -> None:
    state = engagement.state
    state.checkpoint_calls_scheduled += 1
    number = state.checkpoint_calls_scheduled
    start = business_slot(engagement, due)
    state.next_checkpoint = ScheduledCall(
        kind=CallKind.CHECKPOINT,
        number=number,
        uid=f"checkpoint-{number}.{state.engagement_id}@fasttrack-orchestrator",
        start=start,
        end=start + engagement.policy.call_duration,
    )
    invite(engagement, state.next_checkpoint, now)


def _cadence(engagement: EngagementParts) -> timedelta:
    plan = engagement.state.plan
    assert plan is not None
    return engagement.policy.checkpoint_cadences[plan.checkpoint_cadence]


def next_stall_reminder_at(engagement: EngagementParts) -> datetime | None:
    state = engagement.state
    if state.phase is not Phase.REMEDIATE or not open_items(engagement):
        return None
    assert state.last_remediation_progress_at is not None
    waits = state.stall_reminders_sent_since_progress + 1
    return state.last_remediation_progress_at + engagement.policy.remediation_stall_after * waits


def advance_remediate(engagement: EngagementParts, now: datetime) -> None:
    """Checkpoint calls on the agreed cadence, and stall reminders while nothing moves."""
    _advance_checkpoint(engagement, now)
    _remind_if_stalled(engagement, now)


def _advance_checkpoint(engagement: EngagementParts, now: datetime) -> None:
    state = engagement.state
    checkpoint = state.next_checkpoint
    if checkpoint is not None and now >= checkpoint.start:
        record(engagement, now, Event.CHECKPOINT_CALL_DUE, ORCHESTRATOR, f"Checkpoint call {checkpoint.number}")
        state.next_checkpoint = None
        due = checkpoint.start + _cadence(engagement)
        while engagement.keeps_messages_current and due <= now:  # late (the workflow was down): no past calls
            due += _cadence(engagement)
        _schedule_checkpoint(engagement, due, now)


def _remind_if_stalled(engagement: EngagementParts, now: datetime) -> None:
    state = engagement.state
    stall_at = next_stall_reminder_at(engagement)
    if stall_at is None or now < stall_at:
        return
    state.remediation_stalled = True
    state.stall_reminders_sent += 1
    state.stall_reminders_sent_since_progress += 1
    first_of_this_stall = state.stall_reminders_sent_since_progress == 1
    since = state.last_remediation_progress_at
    assert since is not None
    record(engagement, now, Event.REMEDIATION_STALLED, ORCHESTRATOR, f"No remediation progress since {day(since)}.")
    open_lines = [item_phrase(item) for item in open_items(engagement)]
    notify(
        engagement,
        NotificationKind.REMEDIATION_STALLED,
        state.stall_reminders_sent,
        Audience.CUSTOMER,
        f"Remediation stall reminder {state.stall_reminders_sent}",
        now,
        moments={"since": since},
        lines=open_lines,
    )
    while engagement.keeps_messages_current and (next_stall_reminder_at(engagement) or now) <= now:
        state.stall_reminders_sent_since_progress += 1  # late: one reminder, not one per missed interval
    if engagement.policy.remediation_stall_escalation and first_of_this_stall:
        notify(
            engagement,
            NotificationKind.STALL_ESCALATION,
            state.stall_reminders_sent,
            Audience.FASTTRACK_MANAGER,
            "Remediation stalled: escalated to the FastTrack manager",
            now,
            moments={"since": since},
            lines=open_lines,
        )


def remediate_reminders(engagement: EngagementParts) -> list[Reminder]:
    state = engagement.state
    reminders: list[Reminder] = []
    if state.next_checkpoint is not None:
        reminders.append(
            Reminder(
                at=state.next_checkpoint.start,
                kind="checkpoint_call",
                summary=f"Checkpoint call {state.next_checkpoint.number}",
            )
        )
    stall_at = next_stall_reminder_at(engagement)
    if stall_at is not None:
        reminders.append(Reminder(at=stall_at, kind="stall_reminder", summary="Remediation stall reminder"))
    return reminders
