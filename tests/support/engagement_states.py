"""Engagements in each phase, built with the pure domain (no Temporal): for the tests of
what the rules and the pages make of a state."""

from __future__ import annotations

from datetime import date, datetime, timezone

from fasttrack.engagement import Engagement
from fasttrack.models import (
    ContactMade,
    EngagementInput,
    EnvironmentSubmitted,
    KickoffHeld,
    Phase,
    PlanAgreed,
    RemediationItemDone,
    TaskDone,
    VerificationResult,
)
from fasttrack.policy import BenefitPolicy
from fasttrack.rules import check_eligibility
from tests.support.scenario import make_environment, make_purchase, make_scope

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def eligible() -> Engagement:
    purchase = make_purchase(T0)
    engagement = Engagement.open(EngagementInput(purchase=purchase, policy=BenefitPolicy(business_hours=None)),
                                 "fasttrack-intune-t", T0)
    engagement.record_eligibility(check_eligibility(purchase, engagement.policy), T0)
    return engagement


def contacted() -> Engagement:
    engagement = eligible()
    engagement.apply(ContactMade(by="Ana"), T0)
    return engagement


def in_assess() -> Engagement:
    engagement = contacted()
    engagement.apply(KickoffHeld(by="Ana", scope=make_scope()), T0)
    return engagement


def in_remediate() -> Engagement:
    engagement = in_assess()
    engagement.apply(EnvironmentSubmitted(by="Sam", environment=make_environment(
        gaps=[{"category": "dns", "description": "CNAME"}, {"category": "network", "description": "Proxy"}])), T0)
    engagement.apply(PlanAgreed(by="Ana", target_date=date(2026, 6, 1)), T0)
    return engagement


def every_item_done(engagement: Engagement) -> Engagement:
    for item in engagement.open_items():
        engagement.apply(RemediationItemDone(by="Sam", item_id=item.id), T0)
    return engagement


def enabling_core() -> Engagement:
    engagement = every_item_done(in_remediate())
    engagement.apply(VerificationResult(by="Ana", approved=True), T0)
    return engagement


def enabling_intune() -> Engagement:
    engagement = enabling_core()
    for task in list(engagement.state.tasks):
        engagement.apply(TaskDone(by="Ana", task_id=task.id), T0)
    assert engagement.state.phase is Phase.ENABLE_INTUNE
    return engagement


