"""Calls proposed to the customer: invitations, moves and cancellations (one UID, next SEQUENCE)."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import (
    EngagementParts,
    business_slot,
    fits_business_hours,
    item_phrase,
    local,
    open_items,
    record,
    require_phase,
)
from fasttrack.engagement.outbox import notify, withdraw_unsent_invitations
from fasttrack.errors import ActionRejected
from fasttrack.models import Audience, CallKind, CallRescheduled, NotificationKind, Phase, ScheduledCall


def _call_to_reschedule(engagement: EngagementParts, action: CallRescheduled) -> ScheduledCall:
    state = engagement.state
    if action.call is CallKind.KICKOFF:
        require_phase(engagement, "reschedule the kickoff", Phase.INITIATE)
        if state.kickoff_call is None:
            raise ActionRejected("No kickoff has been proposed yet: it is proposed when contact is recorded.")
        return state.kickoff_call
    require_phase(engagement, "reschedule the checkpoint call", Phase.REMEDIATE)
    if state.next_checkpoint is None:
        raise ActionRejected("No checkpoint call is planned: no remediation item is open.")
    return state.next_checkpoint


def check_reschedule(engagement: EngagementParts, action: CallRescheduled, now: datetime) -> None:
    call = _call_to_reschedule(engagement, action)
    if action.start <= now:
        raise ActionRejected(f"The new time {local(engagement, action.start)} is in the past.")
    if action.start == call.start:
        raise ActionRejected(f"The call is already planned for {local(engagement, call.start)}.")
    if not fits_business_hours(engagement, action.start):
        state, policy = engagement.state, engagement.policy
        hours = policy.business_hours
        assert hours is not None  # without business hours every moment fits
        raise ActionRejected(
            f"{local(engagement, action.start)} is outside the customer's business hours "
            f"({hours.start:%H:%M}–{hours.end:%H:%M} {state.time_zone}, working days, "
            f"public holidays of {state.purchase.country} excluded, "
            f"a {policy.call_duration.total_seconds() // 60:.0f}-minute call). "
            f"The next possible time is {local(engagement, business_slot(engagement, action.start))}."
        )


def apply_reschedule(engagement: EngagementParts, action: CallRescheduled, now: datetime) -> str:
    call = _call_to_reschedule(engagement, action)
    call.start, call.end = action.start, action.start + engagement.policy.call_duration
    call.sequence += 1
    moved_to = local(engagement, action.start)
    record(engagement, now, Event.rescheduled(action.call.value), action.by, f"Moved to {moved_to}.")
    invite(engagement, call, now)
    return f"The {action.call.value} call is moved to {moved_to}; the invitation is updated."


def _label(call: ScheduledCall) -> str:
    return "Kickoff call" if call.kind is CallKind.KICKOFF else f"Checkpoint call {call.number}"


def invite(engagement: EngagementParts, call: ScheduledCall, now: datetime) -> None:
    withdraw_unsent_invitations(engagement, call)  # the customer gets only the latest version
    kind = NotificationKind.KICKOFF_INVITATION
    if call.kind is CallKind.CHECKPOINT:
        kind = NotificationKind.CHECKPOINT_INVITATION
    notify(
        engagement,
        kind,
        f"{call.number}.{call.sequence}",
        Audience.CUSTOMER,
        f"{_label(call)} invitation{' (updated)' if call.sequence else ''}",
        now,
        facts={"number": str(call.number), "updated": "yes" if call.sequence else ""},
        moments={"call_start": call.start},
        lines=[item_phrase(item) for item in open_items(engagement)],
        call=call.model_copy(),
    )


def cancel_call(engagement: EngagementParts, call: ScheduledCall | None, now: datetime, because: str) -> None:
    if call is None or call.cancelled:
        return
    call.cancelled = True
    call.sequence += 1
    withdraw_unsent_invitations(engagement, call)
    if not call.invitation_sent:
        return  # the customer never heard of this call: nothing to cancel
    notify(
        engagement,
        NotificationKind.CALL_CANCELLED,
        f"{call.kind.value}-{call.number}.{call.sequence}",
        Audience.CUSTOMER,
        f"{_label(call)} cancelled",
        now,
        facts={"number": str(call.number), "call": call.kind.value, "because": because},
        moments={"call_start": call.start},
        call=call.model_copy(),
        to=call.invited,  # those who have the invitation in their calendar
    )
