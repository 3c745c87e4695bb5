"""Budgets that keep every engagement alive: no action too large, no state too
large to carry across continue-as-new, a timeline that stays short."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fasttrack.engagement import ActionRejected, Engagement
from fasttrack.engagement.budget import MILESTONES, STATE_BUDGET, TIMELINE_DETAIL, TIMELINE_EVENTS
from fasttrack.engagement.catalogue import RULES
from fasttrack.engagement.ledger import TimelineLedger
from fasttrack.models import (
    AppSelected,
    AssistanceRequested,
    CallRescheduled,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EnvironmentSubmitted,
    KickoffHeld,
    Phrase,
    PlanAgreed,
    Purchase,
    RemediationItemDone,
    SourceEnvironment,
    TaskDone,
    VerificationResult,
    Withdrawal,
)
from simulation.scenario import LONGEST_NOTE, largest_stakeholders, longest_environment, longest_gaps
from tests.support.engagement_states import (
    T0,
    contacted,
    eligible,
    enabling_core,
    enabling_intune,
    every_item_done,
    in_assess,
    in_remediate,
)
from tests.support.scenario import make_purchase, make_scope

LONG = LONGEST_NOTE
GAPS = longest_gaps(200)


def size(engagement: Engagement) -> int:
    return len(engagement.state.model_dump_json().encode())


def test_an_environment_at_the_models_limits_is_refused_and_changes_nothing():
    engagement = in_assess()
    before = engagement.state.model_copy(deep=True)
    environment = SourceEnvironment.model_validate({"forests": [{"name": "a", "functional_level": "2012 R2"}],
                                                    "gaps": GAPS})
    with pytest.raises(ActionRejected, match=r"This request is [\d,]+ KiB; an action carries at most 64 KiB"):
        engagement.check(EnvironmentSubmitted(by="Sam", environment=environment), T0)  # what the validator asks
    assert engagement.state == before


def test_the_largest_environment_within_the_request_budget_keeps_the_record_under_its_budget():
    engagement = in_assess()
    # Under 64 KiB, though the checklist and its message copy the gaps again.
    environment = longest_environment()
    engagement.apply(EnvironmentSubmitted(by="Sam", environment=environment), T0)
    assert size(engagement) <= STATE_BUDGET


def test_a_thousand_long_checkpoint_notes_keep_the_record_small_and_the_story_whole():
    engagement = in_remediate()
    for number in range(1_500):
        engagement.apply(CheckpointHeld(by="Ana", note=f"{number} {LONG}"[:2000]), T0 + timedelta(minutes=number))
    state = engagement.state
    assert len(state.timeline) <= TIMELINE_EVENTS and state.timeline_folded > 500
    assert all(len(event.detail) <= TIMELINE_DETAIL for event in state.timeline)
    assert {"purchase_recorded", "kickoff_held", "plan_agreed"} <= {e.what for e in state.timeline} & MILESTONES
    assert state.checkpoints_held == 1_500 and size(engagement) < STATE_BUDGET


ACTIONS = st.sampled_from(["checkpoint", "item", "reject"])


@given(st.lists(ACTIONS, min_size=1, max_size=60))
@settings(max_examples=20, derandomize=True, database=None, deadline=None)
def test_any_sequence_of_accepted_actions_keeps_the_record_under_budget(steps):
    engagement = in_remediate()
    for minute, step in enumerate(steps):
        now = T0 + timedelta(minutes=minute)
        items = engagement.state.checklist
        action = {
            "checkpoint": CheckpointHeld(by="Ana", note=LONG),
            "item": RemediationItemDone(by="Sam", item_id=items[minute % len(items)].id),
            "reject": VerificationResult(by="Ana", approved=False, reopen_item_ids=[items[0].id], note=LONG),
        }[step]
        try:
            engagement.check(action, now)  # the validator: rules and budgets
        except ActionRejected:
            continue
        engagement.apply(action, now)
        assert size(engagement) <= STATE_BUDGET


def test_the_state_growing_by_itself_never_leaves_an_engagement_unable_to_close():
    engagement = in_remediate()
    engagement.state.scope_notes = [Phrase(text=LONG)] * 300  # as if reminders and messages had filled it
    assert size(engagement) > STATE_BUDGET
    engagement.check(Withdrawal(by="Sam", reason="Postponed"), T0)
    with pytest.raises(ActionRejected, match="over its 512 KiB budget"):
        engagement.check(CheckpointHeld(by="Ana", note=LONG), T0)



# The validator tries each action on a copy of the state read back from its JSON.
# These are the largest actions the models accept, each where it grows the state most.
NAME = "Ä" * 200
MANY_ENTRIES = SourceEnvironment.model_validate({
    "forests": [{"name": f"forest-{n}", "functional_level": "2003"} for n in range(50)],
    "browsers": [{"name": "internet_explorer", "version": "6"}] * 100,
    "client_os": [{"platform": "ios", "version": "1"}] * 100,
    "gaps": [{"category": "dns", "description": "x"}] * 200,
})
LONG_ENTRIES = longest_environment()
LONG_DISTINCT_ENTRIES = SourceEnvironment.model_validate({  # each entry an item of its own
    "browsers": [{"name": "internet_explorer", "version": f"{n % 9 + 1}.{n}"} for n in range(100)],
    "client_os": [{"platform": "ios", "version": f"1.{n}"} for n in range(50)],
    "gaps": GAPS[:13],
})
STAKEHOLDERS = largest_stakeholders()


def assessed(environment: SourceEnvironment) -> Engagement:
    engagement = in_assess()
    engagement.apply(EnvironmentSubmitted(by="Sam", environment=environment), T0)
    return engagement


def remediating(environment: SourceEnvironment) -> Engagement:
    engagement = assessed(environment)
    engagement.apply(PlanAgreed(by="Ana", target_date=date(2026, 6, 1)), T0)
    return engagement


def delivered(engagement: Engagement) -> Engagement:
    for message in engagement.due_messages(T0):
        engagement.record_delivery(message, T0)
    return engagement


LARGEST = {
    "contact": (eligible, lambda e: ContactMade(by=NAME, note=LONG)),
    "assistance": (eligible, lambda e: AssistanceRequested(by=NAME, note=LONG)),
    "reschedule": (contacted, lambda e: CallRescheduled(by=NAME, note=LONG, call="kickoff",
                                                        start=e.state.kickoff_call.start + timedelta(days=1))),
    "kickoff": (contacted, lambda e: KickoffHeld(by=NAME, note=LONG, scope=make_scope(stakeholders=STAKEHOLDERS))),
    "environment, most entries": (in_assess, lambda e: EnvironmentSubmitted(by=NAME, note=LONG,
                                                                            environment=MANY_ENTRIES)),
    "environment, longest entries": (in_assess, lambda e: EnvironmentSubmitted(by=NAME, note=LONG,
                                                                               environment=LONG_ENTRIES)),
    "plan": (lambda: assessed(MANY_ENTRIES), lambda e: PlanAgreed(by=NAME, note=LONG, target_date=date(2026, 6, 1))),
    "item": (lambda: remediating(MANY_ENTRIES), lambda e: RemediationItemDone(by=NAME, note=LONG,
                                                                             item_id=e.open_items()[0].id)),
    "checkpoint": (lambda: remediating(MANY_ENTRIES), lambda e: CheckpointHeld(by=NAME, note=LONG)),
    "verification, every item reopened": (
        lambda: every_item_done(remediating(MANY_ENTRIES)),
        lambda e: VerificationResult(by=NAME, note=LONG, approved=False,
                                     reopen_item_ids=[item.id for item in e.state.checklist][:200])),
    "task": (enabling_core, lambda e: TaskDone(by=NAME, note=LONG, task_id=e.state.tasks[0].id)),
    "device": (enabling_intune, lambda e: DeviceEnrolled(by=NAME, note=LONG, platform="ios", device_name=NAME)),
    "app": (enabling_intune, lambda e: AppSelected(by=NAME, note=LONG, platform="ios", app_name=NAME,
                                                   link_type="web_link", link="https://" + "a" * 1990)),
    "verification, every long item reopened after its messages went out": (
        lambda: delivered(every_item_done(remediating(LONG_DISTINCT_ENTRIES))),
        lambda e: VerificationResult(by="Ana", approved=False,
                                     reopen_item_ids=[item.id for item in e.state.checklist][:200])),
}


def test_the_largest_actions_cover_every_action_but_withdrawal():
    covered = {type(action(builder())) for builder, action in LARGEST.values()}
    assert covered == set(RULES) - {Withdrawal}


@pytest.mark.parametrize("case", list(LARGEST))
def test_the_validators_trial_on_a_copy_is_what_the_action_then_does(case):
    builder, make = LARGEST[case]
    engagement = builder()
    action = make(engagement)
    recorded = engagement.state.model_dump_json()
    engagement.check(action, T0)
    tried = engagement._size_after(action, T0)
    assert engagement.state.model_dump_json() == recorded  # the trial changed nothing
    assert engagement.ledger == TimelineLedger.of(engagement.state.timeline)
    engagement.apply(action, T0)
    assert size(engagement) == tried == engagement.size()


def test_a_thousand_orders_for_the_tenant_keep_the_latest_hundred():
    engagement = in_remediate()
    size_before = size(engagement)
    def order(number: int) -> Purchase:
        return make_purchase(T0, tenant_id=engagement.state.tenant_id, order_id=f"ORD-{number:04d}")

    for number in range(1_000):
        engagement.record_additional_purchase(order(number), T0)
    state = engagement.state
    assert state.additional_purchases == [f"ORD-{number:04d}" for number in range(900, 1_000)]
    entries = len(state.timeline) + state.timeline_folded
    engagement.record_additional_purchase(order(950), T0)
    assert len(state.timeline) + state.timeline_folded == entries  # one of the latest, sent again: recognized
    assert size(engagement) - size_before < 300 * 1024  # the timeline folds its routine entries too


def test_an_engagement_carried_over_with_more_orders_keeps_the_latest_hundred_at_the_next():
    engagement = in_remediate()
    engagement.state.additional_purchases = [f"ORD-{number:04d}" for number in range(150)]  # before the bound
    engagement.record_additional_purchase(
        make_purchase(T0, tenant_id=engagement.state.tenant_id, order_id="ORD-0150"), T0)
    assert engagement.state.additional_purchases == [f"ORD-{number:04d}" for number in range(51, 151)]
