"""Budgets that keep every engagement alive: no action too large, no state too
large to carry across continue-as-new, a timeline that stays short."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fasttrack.engagement import ActionRejected, Engagement
from fasttrack.engagement.budget import MILESTONES, STATE_BUDGET, TIMELINE_DETAIL, TIMELINE_EVENTS
from fasttrack.models import (
    CheckpointHeld,
    ContactMade,
    EngagementInput,
    EnvironmentSubmitted,
    KickoffHeld,
    Phrase,
    PlanAgreed,
    RemediationItemDone,
    SourceEnvironment,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy
from fasttrack.rules import check_eligibility
from tests.support.scenario import make_environment, make_purchase, make_scope

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LONG = "Ä" * 2000  # the longest note the models accept, two bytes a character
GAPS = [{"category": "dns", "description": f"{n}: {LONG}"[:2000]} for n in range(200)]


def size(engagement: Engagement) -> int:
    return len(engagement.state.model_dump_json().encode())


def in_assess() -> Engagement:
    purchase = make_purchase(T0)
    engagement = Engagement.open(EngagementInput(purchase=purchase, policy=BenefitPolicy(business_hours=None)),
                                 "fasttrack-intune-t", T0)
    engagement.record_eligibility(check_eligibility(purchase, engagement.policy), T0)
    engagement.apply(ContactMade(by="Ana"), T0)
    engagement.apply(KickoffHeld(by="Ana", scope=make_scope()), T0)
    return engagement


def in_remediate() -> Engagement:
    engagement = in_assess()
    engagement.apply(EnvironmentSubmitted(by="Sam", environment=make_environment(
        gaps=[{"category": "dns", "description": "CNAME"}, {"category": "network", "description": "Proxy"}])), T0)
    engagement.apply(PlanAgreed(by="Ana", target_date=date(2026, 6, 1)), T0)
    return engagement


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
    environment = SourceEnvironment.model_validate({"forests": [{"name": "a", "functional_level": "2012 R2"}],
                                                    "gaps": GAPS[:14]})
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
