"""The engagement's own clock: when it next acts, and what it does then.

The order below is the order of the commands in every recorded history
(tests/histories): the onboarding deadline first, then its warning, then
Initiate's contact SLA and outreach, then Remediate's checkpoint and stall
reminder. Changing it changes what running engagements replay.
"""

from __future__ import annotations

from datetime import datetime

from fasttrack.engagement.closing import ClosingRules
from fasttrack.engagement.initiate import InitiateRules
from fasttrack.engagement.outbox import Outbox
from fasttrack.engagement.remediate import RemediateRules
from fasttrack.models import Phase, Reminder


class Clock(Outbox, ClosingRules, InitiateRules, RemediateRules):
    def next_reminder(self) -> Reminder | None:
        """The next moment the engagement acts on its own, if any."""
        candidates = self._message_reminders()
        if not (self.state.phase.is_closed or self.state.phase is Phase.ELIGIBILITY):
            candidates += self._closing_reminders() + self._initiate_reminders() + self._remediate_reminders()
        return min(candidates, key=lambda reminder: reminder.at) if candidates else None

    def advance_clock(self, now: datetime) -> None:
        """Fires everything that is due at ``now``; the onboarding deadline first."""
        if self.state.phase.is_closed or self.state.phase is Phase.ELIGIBILITY:
            return
        if self._expire_if_due(now):
            return
        self._warn_of_deadline(now)
        self._advance_initiate(now)
        self._advance_remediate(now)
