"""The risks an engagement raises (declared once in fasttrack/risks.py) and the
at-risk query that reads them as one indexed condition."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engagement_client.listing import ListFilter
from fasttrack.engagement import Engagement
from fasttrack.models import EngagementInput, Withdrawal
from fasttrack.policy import BenefitPolicy
from fasttrack.risks import Risk, risks
from fasttrack.rules import check_eligibility
from tests.support.scenario import make_purchase

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
POLICY = BenefitPolicy(business_hours=None)


def opened() -> Engagement:
    purchase = make_purchase(T0)
    engagement = Engagement.open(EngagementInput(purchase=purchase, policy=POLICY), "fasttrack-intune-t", T0)
    engagement.record_eligibility(check_eligibility(purchase, POLICY), T0)
    return engagement


def test_a_young_engagement_raises_none():
    assert risks(opened().state) == []


def test_each_flag_of_the_state_raises_its_risk_in_the_declared_order():
    state = opened().state
    state.signals_refused = 2
    state.record_too_large_since = T0
    state.messages_delayed_since = T0
    state.remediation_stalled = True
    state.contact_sla_breached = True
    assert risks(state) == [Risk.CONTACT_SLA_BREACHED, Risk.REMEDIATION_STALLED, Risk.MESSAGES_DELAYED,
                            Risk.RECORD_TOO_LARGE, Risk.SIGNALS_REFUSED]


def test_the_deadline_is_near_once_the_manager_was_warned_and_not_before():
    engagement = opened()
    deadline = engagement.state.onboarding_deadline
    engagement.advance_clock(deadline - POLICY.deadline_warning_before - timedelta(minutes=1))
    assert Risk.DEADLINE_NEAR not in risks(engagement.state)
    engagement.advance_clock(deadline - POLICY.deadline_warning_before)
    assert Risk.DEADLINE_NEAR in risks(engagement.state)


def test_a_closed_engagement_raises_none_whatever_its_flags():
    engagement = opened()
    engagement.state.contact_sla_breached = True
    engagement.apply(Withdrawal(by="Sam (Contoso IT)", reason="Project cancelled"), T0 + timedelta(days=1))
    assert engagement.state.outcome is not None
    assert risks(engagement.state) == []


def test_the_risk_words_are_frozen():
    # They are in histories (the search attribute FastTrackRisks) and in operators' saved queries.
    assert [risk.value for risk in Risk] == [
        "contact-sla-breached", "remediation-stalled", "messages-delayed", "record-too-large", "deadline-near",
        "signals-refused",
    ]


def test_the_at_risk_query_is_one_condition_on_the_risks_list():
    query = ListFilter(at_risk=True).query(T0)
    risk_condition = "FastTrackRisks IN (" + ", ".join(f"'{risk.value}'" for risk in Risk) + ")"
    assert query.endswith(f" AND {risk_condition}")
    assert " OR " not in query and "FastTrackOnboardingDeadline" not in query


def test_a_deadline_window_given_widens_the_query_by_a_date():
    query = ListFilter(at_risk=True, deadline_within_days=60).query(T0)
    assert "FastTrackRisks IN (" in query
    assert "OR FastTrackOnboardingDeadline <= '2026-05-01T09:00:00Z')" in query


def test_legacy_flags_find_engagements_that_have_not_published_the_list():
    query = ListFilter(at_risk=True, legacy_risk_flags=True).query(T0)
    for condition in ("FastTrackContactSlaBreached = true", "FastTrackRemediationStalled = true",
                      "FastTrackMessagesDelayed = true", "FastTrackRecordTooLargeSince IS NOT NULL",
                      "FastTrackOnboardingDeadline <= '2026-04-01T09:00:00Z'"):
        assert f" OR {condition}" in query or f"({condition}" in query
