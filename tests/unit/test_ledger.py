"""The timeline's ledger: its sums follow the timeline through every action and
every fold, and the state's size it gives is the size of the state's JSON."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fasttrack.engagement import ActionRejected
from fasttrack.engagement.ledger import TimelineLedger, copy_state
from fasttrack.models import CheckpointHeld, RemediationItemDone, VerificationResult
from tests.unit.test_budgets import LONG, T0, in_remediate, size

STEPS = st.lists(st.tuples(st.sampled_from(["checkpoint", "item", "reject"]), st.integers(0, 2_000)),
                 min_size=1, max_size=400)


@given(STEPS)
@settings(max_examples=15, derandomize=True, database=None, deadline=None)
def test_the_ledger_follows_the_timeline_through_actions_and_folds(steps):
    engagement = in_remediate()
    for minute, (step, note_length) in enumerate(steps):
        now = T0 + timedelta(minutes=minute)
        items = engagement.state.checklist
        action = {
            "checkpoint": CheckpointHeld(by="Ana", note=LONG[:note_length] or None),
            "item": RemediationItemDone(by="Sam", item_id=items[minute % len(items)].id),
            "reject": VerificationResult(by="Ana", approved=False, reopen_item_ids=[items[0].id]),
        }[step]
        try:
            engagement.apply(action, now)
        except ActionRejected:  # a rule refused it: nothing changed
            pass
        engagement.advance_clock(now + timedelta(days=3))
    assert engagement.ledger == TimelineLedger.of(engagement.state.timeline)
    assert engagement.size() == size(engagement)


def test_a_long_timeline_is_measured_exactly_and_the_trial_copy_shares_its_entries():
    engagement = in_remediate()
    for number in range(1_200):
        engagement.apply(CheckpointHeld(by="Ana", note=f"{number} {LONG}"[:2000]), T0 + timedelta(minutes=number))
    assert engagement.state.timeline_folded > 0
    assert engagement.size() == size(engagement)
    trial = copy_state(engagement.state)
    assert trial == engagement.state
    assert trial.timeline is not engagement.state.timeline
    assert trial.timeline[-1] is engagement.state.timeline[-1]
    assert trial.scope is engagement.state.scope and trial.environment is engagement.state.environment
    assert trial.checklist[0] is not engagement.state.checklist[0]  # the rest is a copy of its own


def test_an_empty_timeline_is_measured_exactly():
    engagement = in_remediate()
    engagement.state.timeline.clear()
    engagement.ledger = TimelineLedger.of([])
    assert engagement.size() == size(engagement)
