"""Eligibility (R1) and the events commerce sends about purchases."""

from __future__ import annotations

from datetime import datetime

from fasttrack.business_time import default_time_zone
from fasttrack.contract import Event
from fasttrack.engagement.budget import ORDERS_KEPT, SIGNAL_REQUESTS
from fasttrack.engagement.closing import close
from fasttrack.engagement.core import COMMERCE, ORCHESTRATOR, EngagementParts, enter, record
from fasttrack.models import (
    EligibilityVerdict,
    EngagementInput,
    EngagementState,
    Phase,
    Purchase,
    TimelineEvent,
)
from fasttrack.policy import OnboardingAnchor


def new_state(engagement_input: EngagementInput, engagement_id: str, now: datetime) -> EngagementState:
    """The state of an engagement that has just received its purchase."""
    purchase, policy = engagement_input.purchase, engagement_input.policy
    language = purchase.preferred_language
    if language not in policy.languages:
        language = policy.default_language
    time_zone = purchase.time_zone or default_time_zone(purchase.country)
    state = EngagementState(
        engagement_id=engagement_id,
        tenant_id=purchase.tenant_id,
        purchase=purchase,
        language=language,
        time_zone=time_zone or "UTC",
        time_zone_assumed=time_zone is None,
        phase_since=now,
        contact_deadline=purchase.purchased_at + policy.contact_window,
        # An engagement never reached expires this long after the purchase.
        onboarding_deadline=policy.onboarding_deadline(purchase.purchased_at),
    )
    if policy.onboarding_anchor is OnboardingAnchor.PURCHASE:
        state.onboarding_started_at = purchase.purchased_at
    state.timeline.append(
        TimelineEvent(
            at=purchase.purchased_at,
            what=Event.PURCHASE_RECORDED,
            by=COMMERCE,
            detail=f"Order {purchase.order_id}: {purchase.licenses} licenses of {purchase.plan.value}"
            f"{' (new subscription)' if purchase.new_subscription else ''}",
        )
    )
    return state


def record_eligibility(engagement: EngagementParts, verdict: EligibilityVerdict, now: datetime) -> None:
    """From the purchase to Initiate, or to ineligible."""
    state = engagement.state
    if state.phase.is_closed:  # withdrawn while eligibility was being checked
        return
    if not verdict.eligible:
        reasons = " ".join(reason.text for reason in verdict.reasons)
        record(engagement, now, Event.ELIGIBILITY_REJECTED, ORCHESTRATOR, reasons)
        close(engagement, Phase.INELIGIBLE, now, reasons=verdict.reasons)
        return
    record(engagement, now, Event.ELIGIBILITY_VERIFIED, ORCHESTRATOR, "The purchase qualifies for the benefit.")
    enter(engagement, Phase.INITIATE, now)
    if state.contact_made_at is None and state.assistance_requested_at is None:
        state.next_outreach_at = now


def record_additional_purchase(engagement: EngagementParts, purchase: Purchase, now: datetime) -> None:
    """Another purchase event for this tenant: recorded, never a second engagement."""
    state = engagement.state
    if purchase.tenant_id != state.tenant_id:
        record_refused_event(engagement, "purchase_received", f"it is for tenant {purchase.tenant_id}", now)
        return
    if purchase.order_id == state.purchase.order_id or purchase.order_id in state.additional_purchases:
        return
    if state.phase.is_closed:
        record(
            engagement,
            now,
            Event.PURCHASE_REFUSED,
            COMMERCE,
            f"Order {purchase.order_id} arrived after the engagement closed ({state.phase.value}); "
            "it is not attached to it.",
        )
        return
    state.additional_purchases.append(purchase.order_id)
    if len(state.additional_purchases) > ORDERS_KEPT:  # a bound on what a signal can add to the state
        del state.additional_purchases[:-ORDERS_KEPT]  # the timeline keeps their entries until it folds
    record(
        engagement,
        now,
        Event.ADDITIONAL_PURCHASE,
        COMMERCE,
        f"Order {purchase.order_id}: {purchase.licenses} licenses of {purchase.plan.value}"
        " (attached to this engagement)",
    )


def has_applied(engagement: EngagementParts, request_id: str) -> bool:
    return request_id in engagement.state.signal_requests


def record_request(engagement: EngagementParts, request_id: str) -> None:
    requests = engagement.state.signal_requests
    requests.append(request_id)
    del requests[:-SIGNAL_REQUESTS]


def record_refused_signal(engagement: EngagementParts, name: str, reason: str, now: datetime) -> None:
    """A signalled action that the update of its name would have refused: noted, and shown as a risk."""
    engagement.state.signals_refused += 1
    record(engagement, now, Event.EVENT_REFUSED, ORCHESTRATOR, f"Signal {name[:100]} refused: {reason}"[:500])


def record_refused_event(engagement: EngagementParts, event: str, reason: str, now: datetime) -> None:
    """An event from another system that could not be read: noted, nothing else."""
    detail = f"A malformed {event} event was ignored: {reason}"[:500]
    record(engagement, now, Event.EVENT_REFUSED, ORCHESTRATOR, detail)
