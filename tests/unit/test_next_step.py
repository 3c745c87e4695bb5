"""Who must act next, on what, by when: what the board sorts and filters by."""

from __future__ import annotations

from datetime import timedelta

from fasttrack.engagement import Engagement
from fasttrack.engagement.next_step import Actor, DeadlineKind, StepKind, next_step
from fasttrack.models import Owner, Phase, Withdrawal
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
from workflows.search_attributes import deadline_moment, deadline_number


def step_of(engagement: Engagement) -> tuple[Actor, StepKind, DeadlineKind]:
    step = next_step(engagement)
    assert step is not None
    return step.actor, step.step, step.deadline_kind


def test_before_contact_fasttrack_reaches_the_customer_by_the_contact_sla():
    engagement = eligible()
    engagement.state.phase = Phase.INITIATE  # as the workflow moves it once eligibility is recorded
    step = next_step(engagement)
    assert step is not None
    assert (step.actor, step.step, step.deadline_kind) == (Actor.FASTTRACK, StepKind.REACH_CUSTOMER,
                                                           DeadlineKind.CONTACT_SLA)
    assert step.deadline == engagement.state.contact_deadline


def test_a_breached_contact_sla_stays_the_deadline_and_is_past():
    engagement = eligible()
    engagement.state.phase = Phase.INITIATE
    engagement.advance_clock(engagement.state.contact_deadline + timedelta(days=1))
    assert engagement.state.contact_sla_breached
    step = next_step(engagement)
    assert step is not None and step.deadline_kind is DeadlineKind.CONTACT_SLA
    assert step.deadline < engagement.state.contact_deadline + timedelta(days=1)


def test_after_contact_the_kickoff_call_is_the_deadline():
    engagement = contacted()
    engagement.state.phase = Phase.INITIATE
    assert step_of(engagement) == (Actor.FASTTRACK, StepKind.HOLD_KICKOFF, DeadlineKind.CALL)
    assert engagement.state.kickoff_call is not None
    assert next_step(engagement).deadline == engagement.state.kickoff_call.start  # type: ignore[union-attr]


def test_assess_waits_on_the_customer_then_on_fasttrack():
    engagement = in_assess()
    assert step_of(engagement) == (Actor.CUSTOMER, StepKind.SUBMIT_ENVIRONMENT, DeadlineKind.ONBOARDING_WINDOW)


def test_remediate_waits_on_the_customers_items_then_on_the_verification():
    engagement = in_remediate()
    actor, step, kind = step_of(engagement)
    assert (actor, step) == (Actor.CUSTOMER, StepKind.COMPLETE_ITEMS)
    assert kind in (DeadlineKind.CALL, DeadlineKind.STALL_REMINDER)
    for item in engagement.state.checklist:
        item.owner = Owner.FASTTRACK
    assert step_of(engagement)[:2] == (Actor.FASTTRACK, StepKind.COMPLETE_ITEMS)
    done = every_item_done(in_remediate())
    assert step_of(done)[:2] == (Actor.FASTTRACK, StepKind.VERIFY_REMEDIATION)


def test_enable_waits_on_shared_tasks_then_on_the_customers_test_device():
    assert step_of(enabling_core())[:2] == (Actor.CUSTOMER, StepKind.COMPLETE_TASKS)
    assert step_of(enabling_intune())[:2] == (Actor.CUSTOMER, StepKind.ENROLL_DEVICE)


def test_the_nearest_deadline_wins_and_a_closed_engagement_has_none():
    engagement = in_remediate()
    step = next_step(engagement)
    assert step is not None and step.deadline < engagement.state.onboarding_deadline
    engagement.apply(Withdrawal(by="Sam", reason="budget"), T0)
    assert next_step(engagement) is None


def test_the_deadline_number_reads_back_to_its_second():
    moment = T0 + timedelta(days=400, minutes=7, seconds=30, microseconds=5)
    assert deadline_number(moment) == int(f"{moment:%Y%m%d%H%M%S}")
    assert deadline_moment(deadline_number(moment)) == moment.replace(microsecond=0)
