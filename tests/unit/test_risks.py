"""The risks an engagement raises (declared once in fasttrack/risks.py) and the
at-risk query that reads them as one indexed condition."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engagement_client.listing import RISKS_LIST_SINCE, ListFilter
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
    assert risks(engagement.state, even_when_closed=True) == [Risk.CONTACT_SLA_BREACHED]  # what its record says


def test_the_risk_words_are_frozen():
    # They are in histories (the search attribute FastTrackRisks) and in operators' saved queries.
    assert [risk.value for risk in Risk] == [
        "contact-sla-breached", "remediation-stalled", "messages-delayed", "record-too-large", "deadline-near",
        "signals-refused",
    ]


def test_the_at_risk_list_is_one_indexed_condition_and_the_older_runs_flags_bounded_by_start():
    listed, older = ListFilter(at_risk=True).queries(T0)
    risk_condition = "FastTrackRisks IN (" + ", ".join(f"'{risk.value}'" for risk in Risk) + ")"
    assert listed.endswith(f" AND {risk_condition}")
    assert " OR " not in listed and "FastTrackOnboardingDeadline" not in listed
    # Runs started before the list was introduced never publish it: their flags, and only theirs.
    assert f"StartTime < '{RISKS_LIST_SINCE:%Y-%m-%dT%H:%M:%SZ}'" in older
    for condition in ("FastTrackContactSlaBreached = true", "FastTrackRemediationStalled = true",
                      "FastTrackMessagesDelayed = true", "FastTrackRecordTooLargeSince IS NOT NULL",
                      "FastTrackOnboardingDeadline <= '2026-04-01T09:00:00Z'"):
        assert condition in older
    assert RISKS_LIST_SINCE == datetime(2026, 12, 7, tzinfo=timezone.utc)


def test_a_deadline_window_given_replaces_each_engagement_s_own_by_a_date():
    listed, older = ListFilter(at_risk=True, deadline_within_days=60).queries(T0)
    assert "'deadline-near'" not in listed
    assert "OR FastTrackOnboardingDeadline <= '2026-05-01T09:00:00Z')" in listed
    assert "FastTrackOnboardingDeadline <= '2026-05-01T09:00:00Z'" in older


def test_a_later_day_for_the_list_widens_the_older_runs():
    since = datetime(2027, 1, 4, tzinfo=timezone.utc)
    _, older = ListFilter(at_risk=True, risks_list_since=since).queries(T0)
    assert "StartTime < '2027-01-04T00:00:00Z'" in older


def test_without_at_risk_one_query():
    assert ListFilter(phase=None).queries(T0) == ["WorkflowType = 'EngagementWorkflow'"]
