"""What every room of the engagement shares: its state and policy, the timeline,
phase changes, and the customer's calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from fasttrack.business_time import local_time, next_business_moment, within_business_hours
from fasttrack.engagement.budget import bounded_entry, fold_routine_entries
from fasttrack.errors import ActionRejected
from fasttrack.messages import lookup
from fasttrack.models import ChecklistItem, EnableTask, EngagementState, ItemStatus, Phase, Phrase
from fasttrack.policy import BenefitPolicy

ORCHESTRATOR = "fasttrack-orchestrator"
COMMERCE = "commerce"


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


class EngagementCore:
    def __init__(self, state: EngagementState, policy: BenefitPolicy) -> None:
        self.state = state
        self.policy = policy
        # Behaviour added while engagements were running; the workflow turns it on
        # through workflow.patched, so those started before replay as they ran.
        self.keeps_messages_current = True
        self.drops_superseded_messages = True

    def _record(self, at: datetime, what: str, by: str, detail: str = "") -> None:
        timeline = self.state.timeline
        timeline.append(bounded_entry(at, what, by, detail))
        self.state.timeline_folded += fold_routine_entries(timeline)

    def _enter(self, phase: Phase, now: datetime) -> None:
        self.state.phase = phase
        self.state.phase_since = now

    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.state.checklist if item.status is ItemStatus.OPEN]

    def _find_item(self, item_id: str) -> ChecklistItem:
        for item in self.state.checklist:
            if item.id == item_id:
                return item
        known = ", ".join(item.id for item in self.state.checklist) or "none"
        raise ActionRejected(f"There is no checklist item '{item_id}' (items: {known}).")

    def _item_phrase(self, item: ChecklistItem, label_key: str | None = None) -> Phrase:
        words = item.phrase or Phrase(text=item.description)  # a declared gap: the customer's own words
        label = lookup("en", label_key) if label_key else None
        return words.model_copy(update={"ref": item.id, "label_key": label_key, "label": label})

    def _open_tasks(self) -> list[EnableTask]:
        return [task for task in self.state.tasks if task.status is ItemStatus.OPEN]

    def _business_slot(self, moment: datetime) -> datetime:
        """The first quarter hour at or after ``moment`` when a call of the policy's
        length fits the customer's business hours."""
        quarter = timedelta(minutes=15)
        rounded = moment + (datetime.min.replace(tzinfo=moment.tzinfo) - moment) % quarter
        return next_business_moment(
            rounded, self.state.time_zone, self.state.purchase.country, self.policy.business_hours,
            self.policy.call_duration,
        )

    def _fits_business_hours(self, start: datetime) -> bool:
        return within_business_hours(
            start, self.state.time_zone, self.state.purchase.country, self.policy.business_hours,
            self.policy.call_duration,
        )

    def _local(self, moment: datetime) -> str:
        return local_time(moment, self.state.time_zone)

    def _require_phase(self, doing: str, *phases: Phase) -> None:
        if self.state.phase not in phases:
            allowed = " or ".join(phase.value for phase in phases)
            raise ActionRejected(
                f"Cannot {doing} now: the engagement is in {self.state.phase.value}, and this is done in {allowed}."
            )
