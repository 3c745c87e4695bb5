"""Calls proposed to the customer: invitations, moves and cancellations (one UID, next SEQUENCE)."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.core import ActionRejected, EngagementCore
from fasttrack.models import Audience, CallKind, CallRescheduled, NotificationKind, Phase, ScheduledCall


class CallRules(EngagementCore):
    """The kickoff and checkpoint calls and their invitations."""

    def _call_to_reschedule(self, action: CallRescheduled) -> ScheduledCall:
        if action.call is CallKind.KICKOFF:
            self._require_phase("reschedule the kickoff", Phase.INITIATE)
            if self.state.kickoff_call is None:
                raise ActionRejected("No kickoff has been proposed yet: it is proposed when contact is recorded.")
            return self.state.kickoff_call
        self._require_phase("reschedule the checkpoint call", Phase.REMEDIATE)
        if self.state.next_checkpoint is None:
            raise ActionRejected("No checkpoint call is planned: no remediation item is open.")
        return self.state.next_checkpoint

    def _check_reschedule(self, action: CallRescheduled, now: datetime) -> None:
        call = self._call_to_reschedule(action)
        if action.start <= now:
            raise ActionRejected(f"The new time {self._local(action.start)} is in the past.")
        if action.start == call.start:
            raise ActionRejected(f"The call is already planned for {self._local(call.start)}.")
        if not self._fits_business_hours(action.start):
            hours = self.policy.business_hours
            raise ActionRejected(
                f"{self._local(action.start)} is outside the customer's business hours "
                f"({hours.start:%H:%M}–{hours.end:%H:%M} {self.state.time_zone}, working days, "
                f"public holidays of {self.state.purchase.country} excluded, "
                f"a {self.policy.call_duration.total_seconds() // 60:.0f}-minute call). "
                f"The next possible time is {self._local(self._business_slot(action.start))}."
            )

    def _apply_reschedule(self, action: CallRescheduled, now: datetime) -> str:
        call = self._call_to_reschedule(action)
        call.start, call.end = action.start, action.start + self.policy.call_duration
        call.sequence += 1
        self._record(now, Event.rescheduled(action.call.value), action.by, f"Moved to {self._local(action.start)}.")
        self._invite(call, now)
        return f"The {action.call.value} call is moved to {self._local(action.start)}; the invitation is updated."

    def _invite(self, call: ScheduledCall, now: datetime) -> None:
        self._withdraw_unsent_invitations(call)  # the customer gets only the latest version
        kind = NotificationKind.KICKOFF_INVITATION
        if call.kind is CallKind.CHECKPOINT:
            kind = NotificationKind.CHECKPOINT_INVITATION
        label = "Kickoff call" if call.kind is CallKind.KICKOFF else f"Checkpoint call {call.number}"
        self._notify(
            kind,
            f"{call.number}.{call.sequence}",
            Audience.CUSTOMER,
            f"{label} invitation{' (updated)' if call.sequence else ''}",
            now,
            facts={"number": str(call.number), "updated": "yes" if call.sequence else ""},
            moments={"call_start": call.start},
            lines=[self._item_phrase(item) for item in self.open_items()],
            call=call.model_copy(),
        )

    def _cancel_call(self, call: ScheduledCall | None, now: datetime, because: str) -> None:
        if call is None or call.cancelled:
            return
        call.cancelled = True
        call.sequence += 1
        self._withdraw_unsent_invitations(call)
        if not call.invitation_sent:
            return  # the customer never heard of this call: nothing to cancel
        label = "Kickoff call" if call.kind is CallKind.KICKOFF else f"Checkpoint call {call.number}"
        self._notify(
            NotificationKind.CALL_CANCELLED,
            f"{call.kind.value}-{call.number}.{call.sequence}",
            Audience.CUSTOMER,
            f"{label} cancelled",
            now,
            facts={"number": str(call.number), "call": call.kind.value, "because": because},
            moments={"call_start": call.start},
            call=call.model_copy(),
            to=call.invited,  # those who have the invitation in their calendar
        )
