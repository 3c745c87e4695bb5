"""Byte budgets that keep every engagement alive for its whole year.

Temporal refuses a payload over 2 MB, and a workflow whose state cannot be
carried across continue-as-new, or whose history outgrows its limits, stops.
So each action is refused, with a sentence, when it is too large itself or
would make the engagement's state too large to carry; and the timeline, which
grows with every action and reminder, keeps notes short and folds its oldest
routine entries once it is long.
"""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.ledger import TimelineLedger
from fasttrack.errors import ActionRejected
from fasttrack.models import Action, TimelineEvent
from fasttrack.models.actions import ActionEvent

REQUEST_BUDGET = 64 * 1024  # bytes of JSON for one action
STATE_BUDGET = 512 * 1024  # bytes of JSON for the state carried across continue-as-new
# What continue-as-new may carry (state, purchase and policy): the server refuses a
# payload over 1 MiB (deploy/temporal/dynamicconfig.yaml).
CARRY_LIMIT = 960 * 1024
DELIVERY_FAILURES = 50  # the latest kept on the engagement; the timeline has them all
# Later orders for the tenant, kept to show and to recognize one sent again; older
# ones stay on the timeline until it folds (one sent again after that many others is attached again).
ORDERS_KEPT = 100
SIGNAL_REQUESTS = 200  # request ids remembered: a signal sent again after that many others applies again
TIMELINE_DETAIL = 500  # characters of a note or reason kept in the timeline
TIMELINE_EVENTS = 1_000  # entries kept; older routine ones are folded into a count...
TIMELINE_BUDGET = 256 * 1024  # ...and as many more as it takes to keep the timeline under this many bytes
# Entries that tell the engagement's story are never folded.
MILESTONES = frozenset({
    Event.PURCHASE_RECORDED, Event.ELIGIBILITY_VERIFIED, Event.ELIGIBILITY_REJECTED, Event.CONTACT_SLA_BREACHED,
    Event.CORE_ENABLED, Event.INTUNE_ENABLED, Event.EXPIRED, Event.MESSAGES_HANDED_OVER,
    ActionEvent.CONTACT_MADE, ActionEvent.ASSISTANCE_REQUESTED, ActionEvent.KICKOFF_HELD,
    ActionEvent.ENVIRONMENT_SUBMITTED, ActionEvent.PLAN_AGREED, ActionEvent.VERIFICATION_APPROVED,
    ActionEvent.VERIFICATION_REJECTED, ActionEvent.WITHDRAWN,
})


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def check_request(action: Action) -> None:
    size = len(action.model_dump_json().encode())
    if size > REQUEST_BUDGET:
        raise ActionRejected(
            f"This request is {_kib(size)}; an action carries at most {_kib(REQUEST_BUDGET)}. "
            "Send less text (shorter notes or descriptions, fewer entries)."
        )


def check_state_growth(before: int, after: int) -> None:
    """Refuses an action that would take the state past its budget. One that does not
    make it larger is fine even over it (the state also grows by itself: reminders,
    messages, failures), so that an engagement is never left unable to act."""
    size = after
    if after > STATE_BUDGET and after > before:
        raise ActionRejected(
            f"Recording this would make the engagement's record {_kib(size)}, over its {_kib(STATE_BUDGET)} budget "
            "(what an engagement can carry for a year). Send less text, or fewer entries."
        )


def carry_fits(size: int) -> bool:
    return size <= CARRY_LIMIT


def bounded_entry(at: datetime, what: str, by: str, detail: str) -> TimelineEvent:
    if len(detail) > TIMELINE_DETAIL:
        detail = detail[: TIMELINE_DETAIL - 1] + "…"
    return TimelineEvent(at=at, what=what, by=by, detail=detail)


def fold_routine_entries(timeline: list[TimelineEvent], ledger: TimelineLedger) -> int:
    """Removes the oldest entries that are not milestones until the timeline fits
    its budgets; returns how many it removed. ``ledger`` holds the timeline's sums
    and follows what is removed."""
    folded, index = 0, 0
    while (len(timeline) > TIMELINE_EVENTS or ledger.weight > TIMELINE_BUDGET) and index < len(timeline):
        if timeline[index].what in MILESTONES:
            index += 1
            continue
        ledger.remove(timeline.pop(index))
        folded += 1
    return folded
