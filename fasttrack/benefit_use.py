"""R4: each eligible service is onboarded once per tenant. What a purchase for a
tenant that already has an engagement leads to, decided from the facts alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from fasttrack.models import Outcome, Phase, Purchase


class PurchaseDecision(StrEnum):
    RECOGNISED = "recognised"  # the same order again: nothing to do
    ATTACH = "attach"  # recorded on the open engagement
    REFUSE = "refuse"  # the benefit is used
    START_AGAIN = "start_again"  # the earlier engagement closed as ineligible


@dataclass(frozen=True)
class ExistingEngagement:
    engagement_id: str
    outcome: Outcome | None  # None while the engagement is open, or when its run ended without one
    orders: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Decision:
    kind: PurchaseDecision
    message: str


def decide_purchase(purchase: Purchase, existing: ExistingEngagement, run_ended: bool) -> Decision:
    engagement_id = existing.engagement_id
    if purchase.order_id in existing.orders:
        return Decision(PurchaseDecision.RECOGNISED,
                        f"Order {purchase.order_id} is already recorded on engagement {engagement_id}.")
    outcome = existing.outcome
    if outcome is None and not run_ended:
        return Decision(PurchaseDecision.ATTACH,
                        f"Tenant already has engagement {engagement_id}; the purchase was attached to it.")
    if outcome is not None and outcome.status is not Phase.INELIGIBLE:
        return Decision(PurchaseDecision.REFUSE,
                        f"Tenant {purchase.tenant_id} has used the benefit: engagement {engagement_id} "
                        f"closed as {outcome.status.value} on {outcome.at:%Y-%m-%d}.")
    return Decision(PurchaseDecision.START_AGAIN, f"Engagement {engagement_id} started again after an earlier run.")
