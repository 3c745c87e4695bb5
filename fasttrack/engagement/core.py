"""What every phase of the engagement shares: the timeline, phase changes, the
checklist and tasks still open, and the customer's calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from fasttrack.business_time import local_time, next_business_moment, within_business_hours
from fasttrack.engagement.budget import bounded_entry, fold_routine_entries
from fasttrack.engagement.ledger import TimelineLedger
from fasttrack.errors import ActionRejected
from fasttrack.messages import lookup
from fasttrack.models import ChecklistItem, EnableTask, EngagementState, ItemStatus, Phase, Phrase
from fasttrack.policy import BenefitPolicy


class EngagementParts(Protocol):
    """What the rules read and change: the state, the policy, the timeline's ledger and the behaviour flags
    the workflow sets (workflows/patches.py). ``Engagement`` (fasttrack/engagement/__init__.py)
    is the one that holds them."""

    state: EngagementState
    policy: BenefitPolicy
    ledger: TimelineLedger  # the timeline's sums (fasttrack/engagement/ledger.py), kept by ``record``
    keeps_messages_current: bool
    drops_superseded_messages: bool


ORCHESTRATOR = "fasttrack-orchestrator"
COMMERCE = "commerce"


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def record(engagement: EngagementParts, at: datetime, what: str, by: str, detail: str = "") -> None:
    timeline, entry = engagement.state.timeline, bounded_entry(at, what, by, detail)
    timeline.append(entry)
    engagement.ledger.add(entry)
    engagement.state.timeline_folded += fold_routine_entries(timeline, engagement.ledger)


def with_note(detail: str, note: str | None) -> str:
    """A timeline entry's detail, then the note the person who acted gave (the customer's, from their page)."""
    return f"{detail} — {note}" if note else detail


def enter(engagement: EngagementParts, phase: Phase, now: datetime) -> None:
    engagement.state.phase = phase
    engagement.state.phase_since = now


def open_items(engagement: EngagementParts) -> list[ChecklistItem]:
    return [item for item in engagement.state.checklist if item.status is ItemStatus.OPEN]


def find_item(engagement: EngagementParts, item_id: str) -> ChecklistItem:
    for item in engagement.state.checklist:
        if item.id == item_id:
            return item
    known = ", ".join(item.id for item in engagement.state.checklist) or "none"
    raise ActionRejected(f"There is no checklist item '{item_id}' (items: {known}).")


def item_phrase(item: ChecklistItem, label_key: str | None = None) -> Phrase:
    words = item.phrase or Phrase(text=item.description)  # a declared gap: the customer's own words
    label = lookup("en", label_key) if label_key else None
    return words.model_copy(update={"ref": item.id, "label_key": label_key, "label": label})


def open_tasks(engagement: EngagementParts) -> list[EnableTask]:
    return [task for task in engagement.state.tasks if task.status is ItemStatus.OPEN]


def business_slot(engagement: EngagementParts, moment: datetime) -> datetime:
    """The first quarter hour at or after ``moment`` when a call of the policy's
    length fits the customer's business hours."""
    state, policy = engagement.state, engagement.policy
    quarter = timedelta(minutes=15)
    rounded = moment + (datetime.min.replace(tzinfo=moment.tzinfo) - moment) % quarter
    return next_business_moment(
        rounded, state.time_zone, state.purchase.country, policy.business_hours, policy.call_duration
    )


def fits_business_hours(engagement: EngagementParts, start: datetime) -> bool:
    state, policy = engagement.state, engagement.policy
    return within_business_hours(
        start, state.time_zone, state.purchase.country, policy.business_hours, policy.call_duration
    )


def local(engagement: EngagementParts, moment: datetime) -> str:
    """``moment`` as the customer reads it, in their time zone."""
    return local_time(moment, engagement.state.time_zone)


def require_phase(engagement: EngagementParts, doing: str, *phases: Phase) -> None:
    if engagement.state.phase not in phases:
        allowed = " or ".join(phase.value for phase in phases)
        raise ActionRejected(
            f"Cannot {doing} now: the engagement is in {engagement.state.phase.value}, and this is done in {allowed}."
        )
