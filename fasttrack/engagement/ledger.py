"""What the state weighs, kept by accounting, so that checking an action costs the
same on a young engagement and an old one.

The timeline is the part of the state that grows with an engagement's age (every
action, reminder and message adds an entry; the oldest routine ones fold away at
``TIMELINE_EVENTS`` entries or ``TIMELINE_BUDGET`` bytes). Its ledger keeps two
sums as entries come and go: the fold's weight and the entries' exact bytes. The
rest of the state is bounded by the models and the benefit (one scope, one source
environment and its checklist, the Enable tasks, two devices and two apps per
platform, the latest request ids and failures, the messages waiting) and is
measured when asked, without the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fasttrack.models import EngagementState, TimelineEvent

_ENTRY = TimelineEvent.__pydantic_serializer__
_STATE = EngagementState.__pydantic_serializer__
_TIMELINE_FIELD = len(b'"timeline":[]') + 1  # the key, the brackets and the comma before the next field


def fold_weight(entry: TimelineEvent) -> int:
    """What the fold weighs an entry at (its texts and the JSON around them, estimated)."""
    return len(entry.detail.encode()) + len(entry.by.encode()) + len(entry.what) + 64


def entry_bytes(entry: TimelineEvent) -> int:
    return len(_ENTRY.to_json(entry))


@dataclass
class TimelineLedger:
    weight: int = 0  # sum of fold_weight
    size: int = 0  # sum of entry_bytes

    @classmethod
    def of(cls, timeline: Iterable[TimelineEvent]) -> TimelineLedger:
        ledger = cls()
        for entry in timeline:
            ledger.add(entry)
        return ledger

    def add(self, entry: TimelineEvent) -> None:
        self.weight += fold_weight(entry)
        self.size += entry_bytes(entry)

    def remove(self, entry: TimelineEvent) -> None:
        self.weight -= fold_weight(entry)
        self.size -= entry_bytes(entry)

    def copy(self) -> TimelineLedger:
        return TimelineLedger(self.weight, self.size)


def rest_json(state: EngagementState) -> bytes:
    """The state's JSON without its timeline."""
    return _STATE.to_json(state, exclude={"timeline"})


def state_size(state: EngagementState, ledger: TimelineLedger) -> int:
    """Bytes of ``state.model_dump_json()``, without serializing the timeline."""
    commas = max(len(state.timeline) - 1, 0)
    return len(rest_json(state)) + _TIMELINE_FIELD + ledger.size + commas


# Parts an action replaces but never changes in place: a trial copy shares them.
_SHARED = {"timeline", "scope", "environment"}


def copy_state(state: EngagementState) -> EngagementState:
    """A copy to try an action on: the rest read back from its JSON (quicker than a
    deep copy), the timeline a new list of the same entries (entries never change),
    the scope and the source environment shared (an action replaces them whole)."""
    trial = EngagementState.model_validate_json(_STATE.to_json(state, exclude=_SHARED))
    trial.timeline, trial.scope, trial.environment = list(state.timeline), state.scope, state.environment
    return trial
