"""R4, decided in the domain: one engagement per tenant, the benefit used once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from fasttrack.benefit_use import Decision, ExistingEngagement, PurchaseDecision, decide_purchase
from fasttrack.models import Outcome, Phase
from tests.support.scenario import make_purchase

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
PURCHASE = make_purchase(NOW, order_id="ORD-2")


def decided(outcome: Phase | None, run_ended: bool, orders=("ORD-1",)) -> Decision:
    closed = Outcome(status=outcome, at=NOW) if outcome else None
    return decide_purchase(PURCHASE, ExistingEngagement("fasttrack-intune-x", closed, frozenset(orders)), run_ended)


def test_the_same_order_again_is_recognised_whatever_the_engagement_s_state():
    for outcome in (None, Phase.COMPLETED, Phase.INELIGIBLE):
        assert decided(outcome, run_ended=False, orders=("ORD-1", "ORD-2")).kind is PurchaseDecision.RECOGNISED


def test_another_order_is_attached_to_an_open_engagement():
    decision = decided(None, run_ended=False)
    assert decision.kind is PurchaseDecision.ATTACH and "attached" in decision.message


@pytest.mark.parametrize("outcome", [Phase.COMPLETED, Phase.EXPIRED, Phase.WITHDRAWN])
@pytest.mark.parametrize("run_ended", [False, True])  # refused from the moment the phase closes
def test_a_tenant_whose_engagement_ran_has_used_the_benefit(outcome, run_ended):
    decision = decided(outcome, run_ended)
    assert decision.kind is PurchaseDecision.REFUSE
    assert f"has used the benefit: engagement fasttrack-intune-x closed as {outcome.value} on 2026-11-27" in (
        decision.message
    )


def test_a_tenant_found_ineligible_or_whose_run_ended_without_an_outcome_starts_again():
    assert decided(Phase.INELIGIBLE, run_ended=False).kind is PurchaseDecision.START_AGAIN
    assert decided(Phase.INELIGIBLE, run_ended=True).kind is PurchaseDecision.START_AGAIN
    assert decided(None, run_ended=True).kind is PurchaseDecision.START_AGAIN  # terminated by an operator
