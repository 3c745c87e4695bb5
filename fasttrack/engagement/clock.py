"""The engagement's own clock: when it next acts, and what it does then.

The order below is the order of the commands in every recorded history
(tests/histories): the onboarding deadline first, then its warning, then
Initiate's contact SLA and outreach, then Remediate's checkpoint and stall
reminder. Changing it changes what running engagements replay.
"""

from __future__ import annotations

from datetime import datetime

from fasttrack.engagement.closing import closing_reminders, expire_if_due, warn_of_deadline
from fasttrack.engagement.core import EngagementParts
from fasttrack.engagement.initiate import advance_initiate, initiate_reminders
from fasttrack.engagement.outbox import message_reminders
from fasttrack.engagement.remediate import advance_remediate, remediate_reminders
from fasttrack.models import Phase, Reminder


def _keeps_time(engagement: EngagementParts) -> bool:
    """Before eligibility is settled, and once closed, only messages wait."""
    phase = engagement.state.phase
    return not (phase.is_closed or phase is Phase.ELIGIBILITY)


def next_reminder(engagement: EngagementParts) -> Reminder | None:
    """The next moment the engagement acts on its own, if any."""
    candidates = message_reminders(engagement)
    if _keeps_time(engagement):
        candidates += (
            closing_reminders(engagement) + initiate_reminders(engagement) + remediate_reminders(engagement)
        )
    return min(candidates, key=lambda reminder: reminder.at) if candidates else None


def advance_clock(engagement: EngagementParts, now: datetime) -> None:
    """Fires everything that is due at ``now``; the onboarding deadline first."""
    if not _keeps_time(engagement):
        return
    if expire_if_due(engagement, now):
        return
    warn_of_deadline(engagement, now)
    advance_initiate(engagement, now)
    advance_remediate(engagement, now)
