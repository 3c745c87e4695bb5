"""The benefit's rules, policy and state machine as pure code (no server)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from fasttrack.engagement import ActionRejected, Engagement, engagement_id_for
from fasttrack.models import (
    Browser,
    CallRescheduled,
    ClientOs,
    ContactMade,
    DeclaredGap,
    EligibilityVerdict,
    EngagementInput,
    EnvironmentSubmitted,
    Forest,
    Goal,
    IdentityModel,
    KickoffHeld,
    MdmAuthority,
    Phase,
    PlanAgreed,
    Purchase,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, OnboardingAnchor, Plan, add_calendar_months
from fasttrack.rules import (
    assess_environment,
    check_eligibility,
    core_tasks,
    intune_tasks,
    scope_problems,
)
from tests.support.scenario import make_environment, make_purchase, make_scope

T0 = datetime(2026, 1, 31, 9, 0, tzinfo=timezone.utc)
POLICY = BenefitPolicy()


# ---------------------------------------------------------------- policy


def test_calendar_months_clamp_to_the_end_of_the_month():
    assert add_calendar_months(T0, 1) == datetime(2026, 2, 28, 9, 0, tzinfo=timezone.utc)
    assert add_calendar_months(T0, 12) == datetime(2027, 1, 31, 9, 0, tzinfo=timezone.utc)
    assert add_calendar_months(datetime(2027, 2, 28, tzinfo=timezone.utc), 12) == datetime(
        2028, 2, 28, tzinfo=timezone.utc
    )


def test_policy_defaults_are_the_benefit_numbers():
    assert POLICY.minimum_licenses == 150
    assert POLICY.contact_window == timedelta(days=30)
    assert [offset.days for offset in POLICY.outreach_offsets] == [0, 7, 14, 21, 28]
    assert POLICY.slow_outreach_interval == timedelta(days=14)
    assert POLICY.onboarding_window_months == 12
    assert POLICY.onboarding_anchor is OnboardingAnchor.FIRST_CONTACT
    assert POLICY.checkpoint_cadences[POLICY.default_checkpoint_cadence] == timedelta(days=7)
    assert POLICY.remediation_stall_after == timedelta(days=14)
    assert POLICY.max_test_devices_per_platform == POLICY.max_apps_per_platform == 2
    assert POLICY.languages == ["zh-Hant", "en", "fr", "de", "it", "ja", "pt-BR", "es"]
    assert POLICY.onboarding_deadline(T0) == datetime(2027, 1, 31, 9, 0, tzinfo=timezone.utc)


def test_policy_round_trips_through_json_and_compresses():
    assert BenefitPolicy.model_validate_json(POLICY.model_dump_json()) == POLICY
    fast = BenefitPolicy.compressed(timedelta(seconds=1))
    assert fast.contact_window == timedelta(seconds=30)
    assert fast.outreach_offsets[-1] == timedelta(seconds=28)
    assert fast.onboarding_deadline(T0) == T0 + timedelta(seconds=365)


def test_engagements_with_the_same_rules_share_one_frozen_copy_of_them():
    fast = BenefitPolicy.compressed(timedelta(seconds=1))
    assert BenefitPolicy().shared() is POLICY.shared() == POLICY
    assert BenefitPolicy.compressed(timedelta(seconds=1)).shared() is fast.shared() != POLICY.shared()
    with pytest.raises(ValidationError, match="frozen"):
        POLICY.shared().minimum_licenses = 1  # type: ignore[misc]  # the write it must refuse


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"outreach_offsets": [timedelta(days=7), timedelta(days=0)]}, "increasing order"),
        ({"outreach_offsets": [timedelta(days=31)]}, "inside the contact window"),
        ({"default_checkpoint_cadence": "daily"}, "default_checkpoint_cadence"),
        ({"default_language": "nl"}, "default_language"),
        ({"minimum_licenses": 0}, "greater than or equal to 1"),
        ({"unknown_setting": 1}, "Extra inputs are not permitted"),
    ],
)
def test_inconsistent_policy_is_refused(overrides, message):
    with pytest.raises(ValidationError, match=message):
        BenefitPolicy(**overrides)


# ---------------------------------------------------------------- R1


def test_eligible_purchase():
    assert check_eligibility(make_purchase(T0, licenses=150), POLICY) == EligibilityVerdict(eligible=True)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"licenses": 149}, "149 licenses"),
        ({"plan": Plan.OFFICE_365_E3}, "does not include the benefit"),
        ({"new_subscription": False}, "new subscription"),
    ],
)
def test_ineligible_purchases_say_why(overrides, fragment):
    verdict = check_eligibility(make_purchase(T0, **overrides), POLICY)
    assert not verdict.eligible
    assert any(fragment in reason.text for reason in verdict.reasons)


def test_purchase_event_is_validated():
    with pytest.raises(ValidationError) as caught:
        Purchase.model_validate(
            {"order_id": "", "tenant_id": "not-a-guid", "plan": "intune", "licenses": -1,
             "new_subscription": True, "purchased_at": "2026-01-01T00:00:00",
             "customer_contact": {"name": "A", "email": "nope"}, "country": "fr", "region": "mars"}
        )
    fields = {error["loc"][0] for error in caught.value.errors()}
    assert fields == {"order_id", "tenant_id", "licenses", "purchased_at", "customer_contact", "country", "region"}


@pytest.mark.parametrize("today_s_name, kept_as", [
    ("enterprise_mobility_security", Plan.EMS), ("microsoft_entra_id_p1", Plan.AZURE_AD_PREMIUM),
    ("microsoft_entra_id_p2", Plan.AZURE_AD_PREMIUM), ("enterprise_mobility_suite", Plan.EMS)])
def test_a_plan_is_accepted_by_today_s_name_and_kept_under_the_seed_s_id(today_s_name, kept_as):
    purchase = make_purchase(T0).model_dump(mode="json") | {"plan": today_s_name}
    accepted = Purchase.model_validate(purchase)
    assert accepted.plan is kept_as and f'"plan":"{kept_as.value}"' in accepted.model_dump_json()
    with pytest.raises(ValidationError, match="plan"):
        Purchase.model_validate(purchase | {"plan": "microsoft_entra_id_p3"})


def test_engagement_id_is_stable_per_tenant():
    assert engagement_id_for(" 0F8FAD5B-D9CB-469F-A165-70867728950E ") == (
        "fasttrack-intune-0f8fad5b-d9cb-469f-a165-70867728950e"
    )


# ---------------------------------------------------------------- scope


def test_scope_rules():
    assert scope_problems(make_scope(), POLICY) == []
    assert scope_problems(make_scope(goals=[Goal.MAM], mdm_authority=MdmAuthority.NONE), POLICY) == []
    assert scope_problems(make_scope(goals=[Goal.PC_MANAGEMENT], mdm_authority=MdmAuthority.NONE), POLICY)
    assert scope_problems(make_scope(hybrid_configmgr=True), POLICY)  # hybrid needs ConfigMgr authority
    assert scope_problems(make_scope(mdm_authority=MdmAuthority.CONFIGMGR), POLICY)  # and vice versa
    assert scope_problems(make_scope(mdm_authority=MdmAuthority.CONFIGMGR, hybrid_configmgr=True), POLICY) == []
    assert scope_problems(make_scope(goals=[Goal.MDM, Goal.MDM]), POLICY) == ["Each goal may be listed once."]
    assert scope_problems(make_scope(services=["azure_ad_premium"]), POLICY)
    assert scope_problems(make_scope(language="ko"), POLICY)  # a later version's language, not this policy's


# ---------------------------------------------------------------- assessment


def ids(items) -> list[str]:
    return [item.id for item in items]


def test_clean_environment_has_an_empty_checklist():
    items, notes = assess_environment(make_environment(), make_scope(), POLICY)
    assert (items, notes) == ([], [])


def test_assessment_builds_the_checklist():
    environment = make_environment(
        forests=[Forest(name="Old Corp", functional_level="2003"), Forest(name="new", functional_level="2008")],
        browsers=[Browser(name="internet_explorer", version="9"), Browser(name="chrome", version="60"),
                  Browser(name="netscape", version="9")],
        client_os=[ClientOs(platform="ios", version="6.1"), ClientOs(platform="android", version="4.4"),
                   ClientOs(platform="windows_pc", version="XP"), ClientOs(platform="windows_pc", version="10")],
        gaps=[DeclaredGap(category="dns", description="No CNAME for enrollment"),
              DeclaredGap(category="network", description="Proxy blocks manage.microsoft.com"),
              DeclaredGap(category="dns", description="Split-brain DNS")],
    )
    items, notes = assess_environment(environment, make_scope(), POLICY)
    assert ids(items) == [
        "forest-level-old-corp",
        "browser-internet-explorer-9",
        "browser-netscape-9",
        "client-os-ios-6-1",
        "client-os-windows-pc-xp",
        "dns-1",
        "network-1",
        "dns-2",
    ]
    assert [item.category.value for item in items] == [
        "identity", "browser", "browser", "client_os", "client_os", "dns", "network", "dns"
    ]
    assert all(item.owner.value == "customer" for item in items)
    assert notes == []


def test_configmgr_authority_needs_2012_r2():
    hybrid = make_scope(mdm_authority=MdmAuthority.CONFIGMGR, hybrid_configmgr=True)
    items, notes = assess_environment(make_environment(configmgr_version="2012 SP1"), hybrid, POLICY)
    assert ids(items) == ["configmgr-version"]
    assert any("upgrading Configuration Manager is out of scope" in note.text for note in notes)
    assert assess_environment(make_environment(configmgr_version="2012 R2"), hybrid, POLICY) == ([], [])
    # ConfigMgr's version does not matter when Intune is the authority.
    assert assess_environment(make_environment(configmgr_version="2007"), make_scope(), POLICY) == ([], [])


def test_federated_identity_rules():
    federated = make_scope(identity_model=IdentityModel.FEDERATED)
    items, _ = assess_environment(make_environment(adfs_version="1.1"), federated, POLICY)
    assert ids(items) == ["adfs-version"]
    assert assess_environment(make_environment(adfs_version="3.0"), federated, POLICY) == ([], [])
    two_forests = make_environment(
        forests=[Forest(name="a", functional_level="2012"), Forest(name="b", functional_level="2012")]
    )
    items, notes = assess_environment(two_forests, federated, POLICY)
    assert items == []
    assert len(notes) == 1 and "AD FS is out of scope" in notes[0].text


def test_custom_sync_rules_are_out_of_scope():
    _, notes = assess_environment(make_environment(custom_sync_rules=True), make_scope(), POLICY)
    assert [note.text for note in notes] == ["Custom synchronization-rule extensions are out of scope for FastTrack."]


# ---------------------------------------------------------------- enable plans


def test_core_tasks_follow_the_identity_model():
    cloud = ids(core_tasks(make_scope(identity_model=IdentityModel.CLOUD), make_environment()))
    synced = ids(core_tasks(make_scope(identity_model=IdentityModel.SYNCHRONIZED), make_environment()))
    federated = ids(core_tasks(make_scope(identity_model=IdentityModel.FEDERATED), make_environment()))
    common = ["core.activate_tenant", "core.add_domain", "core.pilot_users", "core.network_ports", "core.dns",
              "core.validate_connectivity", "core.identity_guidance"]
    assert cloud == common + ["core.create_identities"]
    assert synced == common + ["core.install_directory_sync", "core.password_hash_sync"]
    assert federated == common + ["core.install_directory_sync", "core.adfs_farm", "core.adfs_proxy",
                                  "core.convert_domain", "core.test_sso"]
    assert len(set(federated)) == len(federated)


def test_intune_tasks_follow_goals_and_authority():
    mdm = intune_tasks(make_scope(goals=[Goal.MDM]))
    assert "intune.mdm.enroll_test_devices" in ids(mdm)
    assert next(task for task in mdm if task.id == "intune.mdm.authority").title == "Set Intune as the MDM authority"
    assert "intune.mdm.exchange_connector" not in ids(mdm)
    hybrid = intune_tasks(make_scope(goals=[Goal.MDM], mdm_authority=MdmAuthority.CONFIGMGR,
                                     hybrid_configmgr=True, exchange_on_premises=True))
    assert "Configuration Manager" in next(task for task in hybrid if task.id == "intune.mdm.authority").title
    assert "intune.mdm.exchange_connector" in ids(hybrid)
    mam_only = ids(intune_tasks(make_scope(goals=[Goal.MAM], mdm_authority=MdmAuthority.NONE)))
    assert not [task_id for task_id in mam_only if task_id.startswith("intune.mdm.")]
    assert "intune.mam.policies" in mam_only
    pcs = ids(intune_tasks(make_scope(goals=[Goal.PC_MANAGEMENT])))
    assert pcs[-2:] == ["intune.pc.install_client", "intune.pc.reports"]


# ---------------------------------------------------------------- state machine and its clock


def opened(policy: BenefitPolicy = POLICY, purchased_at: datetime = T0, now: datetime | None = None) -> Engagement:
    engagement_input = EngagementInput(purchase=make_purchase(purchased_at), policy=policy)
    engagement = Engagement.open(engagement_input, "fasttrack-intune-test", now or purchased_at)
    engagement.record_eligibility(EligibilityVerdict(eligible=True), now or purchased_at)
    return engagement


def run_clock_until(engagement: Engagement, end: datetime) -> list[datetime]:
    """Fires reminders in order, as the workflow does; returns when each fired."""
    fired: list[datetime] = []
    while True:
        reminder = engagement.next_reminder()
        if reminder is None or reminder.at > end:
            return fired
        engagement.due_messages(reminder.at)  # the workflow hands these to the notifier
        engagement.advance_clock(reminder.at)
        engagement.due_messages(reminder.at)  # ...and those that firing queued, before it waits again
        fired.append(reminder.at)
        following = engagement.next_reminder()
        assert following is None or following.at > reminder.at


def test_every_reminder_moves_the_clock_forward():
    engagement = opened()
    fired = run_clock_until(engagement, T0 + timedelta(days=400))
    assert engagement.state.phase is Phase.EXPIRED
    assert fired == sorted(fired)
    assert engagement.state.outreach_attempts == 5 + 23


def test_a_late_purchase_event_sends_one_outreach_now_and_keeps_the_schedule():
    late = T0 + timedelta(days=10)
    engagement = opened(now=late)
    engagement.advance_clock(late)
    assert engagement.state.outreach_attempts == 1
    assert engagement.state.next_outreach_at == T0 + timedelta(days=14)


def test_anchor_on_purchase_keeps_the_deadline_at_purchase():
    engagement = opened(policy=BenefitPolicy(onboarding_anchor=OnboardingAnchor.PURCHASE))
    engagement.apply(ContactMade(by="Ana"), T0 + timedelta(days=20))
    assert engagement.state.onboarding_deadline == add_calendar_months(T0, 12)


def test_checks_change_nothing_and_applies_are_refused_when_invalid():
    engagement = opened()
    before = engagement.state.model_copy(deep=True)
    with pytest.raises(ActionRejected, match="follows first contact"):
        engagement.apply(KickoffHeld(by="Ana", scope=make_scope()), T0)
    assert engagement.state == before
    engagement.apply(ContactMade(by="Ana"), T0 + timedelta(days=1))
    engagement.apply(KickoffHeld(by="Ana", scope=make_scope()), T0 + timedelta(days=2))
    with pytest.raises(ActionRejected, match="Submit the source environment first"):
        engagement.check(PlanAgreed(by="Ana", target_date=date(2026, 6, 1)), T0 + timedelta(days=3))
    engagement.apply(EnvironmentSubmitted(by="Sam", environment=make_environment()), T0 + timedelta(days=3))
    with pytest.raises(ActionRejected, match="after the end of the onboarding window"):
        engagement.check(PlanAgreed(by="Ana", target_date=date(2028, 1, 1)), T0 + timedelta(days=3))


def test_an_invitation_not_yet_sent_is_replaced_or_dropped_never_sent_stale():
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)  # messages wait for Monday in Paris
    engagement = opened(purchased_at=saturday)
    engagement.apply(ContactMade(by="Ana"), saturday)
    call = engagement.state.kickoff_call
    assert call is not None
    first = call.start
    waiting = [m for m in engagement.state.scheduled_messages if m.kind.value == "kickoff_invitation"]
    assert len(waiting) == 1 and waiting[0].call is not None and waiting[0].call.sequence == 0
    engagement.apply(CallRescheduled(by="Ana", call="kickoff", start=first + timedelta(days=1)), saturday)
    waiting = [m for m in engagement.state.scheduled_messages if m.kind.value == "kickoff_invitation"]
    assert [m.call.sequence if m.call else None for m in waiting] == [1]  # only the latest version will go out
    engagement.apply(Withdrawal(by="Sam", reason="No longer needed"), saturday)
    kinds = [m.kind.value for m in engagement.state.scheduled_messages]
    assert "kickoff_invitation" not in kinds and "call_cancelled" not in kinds  # never heard of: nothing to cancel
    assert "engagement_closed" in kinds


def test_waiting_messages_that_an_action_makes_untrue_are_never_sent():
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)  # messages wait for Monday in Paris
    engagement = opened(purchased_at=saturday)
    engagement.advance_clock(saturday)
    assert [m.kind.value for m in engagement.state.scheduled_messages] == ["outreach"]
    engagement.apply(ContactMade(by="Ana"), saturday + timedelta(hours=1))
    assert [m.kind.value for m in engagement.state.scheduled_messages] == ["kickoff_invitation"]
    engagement.apply(KickoffHeld(by="Ana", scope=make_scope()), saturday + timedelta(hours=2))
    assert engagement.state.scheduled_messages == []  # the kickoff was held before its invitation went out
    kickoff = engagement.state.kickoff_call
    assert kickoff is not None and kickoff.cancelled
