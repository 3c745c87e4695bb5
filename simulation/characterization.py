"""Drives the pure Engagement as the workflow does, through the six reference
paths and a 400-day clock, and writes down everything it decides: each reminder,
the key and time of each message that falls due, and the state after each step
(whole at the start and at closing, its SHA-256 in between).

    .venv/bin/python -m simulation.characterization   # rewrites the snapshot

The snapshot (``tests/unit/snapshots/characterization.json``) must not change when
the engagement's code is only moved around; ``tests/unit/test_characterization.py``
checks it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from fasttrack.engagement import Engagement, engagement_id_for
from fasttrack.models import (
    Action,
    AppSelected,
    ContactMade,
    DeviceEnrolled,
    EngagementInput,
    EnvironmentSubmitted,
    Forest,
    Goal,
    IdentityModel,
    ItemStatus,
    KickoffHeld,
    LinkType,
    MdmAuthority,
    Person,
    PlanAgreed,
    Purchase,
    Region,
    RemediationItemDone,
    Scope,
    SourceEnvironment,
    TaskDone,
    TaskNeeds,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy, MdmPlatform, Plan
from fasttrack.rules import check_eligibility

SNAPSHOT = Path(__file__).resolve().parents[1] / "tests" / "unit" / "snapshots" / "characterization.json"
START = datetime(2026, 11, 27, 16, 40, tzinfo=timezone.utc)  # a Friday, late in the Paris afternoon
HORIZON = timedelta(days=400)
FASTTRACK, CUSTOMER = "Ana (FastTrack)", "Sam (Contoso IT)"


def purchase(name: str, licenses: int = 250) -> Purchase:
    return Purchase(
        order_id=f"ORD-{name}",
        tenant_id=_tenant(name),
        plan=Plan.EMS,
        licenses=licenses,
        new_subscription=True,
        purchased_at=START,
        customer_contact=Person(name="Sam Admin", email="sam@contoso.example"),
        country="FR",
        region=Region.EMEA,
        preferred_language="fr",
        organization="Contoso",
    )


def _tenant(name: str) -> str:
    digits = "".join(f"{ord(ch):03d}" for ch in name)[:12].ljust(12, "0")
    return f"00000000-0000-4000-8000-{digits}"


SCOPE = Scope(
    goals=[Goal.MDM, Goal.MAM],
    identity_model=IdentityModel.SYNCHRONIZED,
    mdm_authority=MdmAuthority.INTUNE,
    language="fr",
    project_manager=Person(name="Paula PM", email="paula@contoso.example"),
)
WITH_GAPS = SourceEnvironment(
    forests=[Forest(name="contoso.local", functional_level="2003")],
    gaps=[{"category": "dns", "description": "Add the enterpriseenrollment CNAME record"}],
)
MULTI_FOREST = SourceEnvironment(
    forests=[Forest(name="accounts.local", functional_level="2012 R2"),
             Forest(name="resources.local", functional_level="2008")],
)

# A script is the customer's and the specialist's side: on which days after the
# purchase (at 10:00 UTC) they act, and what they do, given the engagement then.
Script = dict[int, Callable[[Engagement], list[Action]]]


def fixed(*actions: Action) -> Callable[[Engagement], list[Action]]:
    return lambda engagement: list(actions)


def through_assess(environment: SourceEnvironment, scope: Scope = SCOPE) -> Script:
    return {
        1: fixed(ContactMade(by=FASTTRACK, note="Phone call with the IT lead")),
        3: fixed(KickoffHeld(by=FASTTRACK, scope=scope)),
        5: fixed(EnvironmentSubmitted(by=CUSTOMER, environment=environment)),
        6: fixed(PlanAgreed(by=FASTTRACK, target_date=date(2027, 2, 15))),
    }


def open_items(engagement: Engagement) -> list[Action]:
    return [RemediationItemDone(by=CUSTOMER, item_id=item.id) for item in engagement.open_items()]


def enable(engagement: Engagement) -> list[Action]:
    actions: list[Action] = []
    for task in [task for task in engagement.state.tasks if task.status is ItemStatus.OPEN]:
        if task.needs is TaskNeeds.TEST_DEVICE:
            actions.append(DeviceEnrolled(by=CUSTOMER, platform=MdmPlatform.IOS, device_name="iPhone-pilot-1"))
        if task.needs is TaskNeeds.APP:
            actions.append(AppSelected(by=CUSTOMER, platform=MdmPlatform.IOS, app_name="Contoso Expenses",
                                       link_type=LinkType.DEEP_LINK, link="itms-apps://itunes.apple.com/app/id123"))
        actions.append(TaskDone(by=CUSTOMER, task_id=task.id))
    return actions


def approve(engagement: Engagement) -> list[Action]:
    return [VerificationResult(by=FASTTRACK, approved=True)]


def reject_first(engagement: Engagement) -> list[Action]:
    first = engagement.state.checklist[0].id
    return [VerificationResult(by=FASTTRACK, approved=False, reopen_item_ids=[first], note="Not fixed yet")]


FEDERATED = SCOPE.model_copy(update={"identity_model": IdentityModel.FEDERATED})
PATHS: dict[str, tuple[Purchase, Script]] = {
    "completed": (purchase("completed"), {
        **through_assess(WITH_GAPS), 20: open_items, 22: approve, 30: enable, 40: enable}),
    "ineligible": (purchase("ineligible", licenses=100), {}),
    "expired": (purchase("expired"), {}),
    "withdrawn": (purchase("withdrawn"), {
        **through_assess(WITH_GAPS), 50: fixed(Withdrawal(by=CUSTOMER, reason="Project postponed"))}),
    "rejected_verification": (purchase("rejected"), {
        **through_assess(WITH_GAPS), 20: open_items, 22: reject_first, 35: open_items, 36: approve,
        50: enable, 60: enable}),
    "multi_forest": (purchase("multi_forest"), {
        **through_assess(MULTI_FOREST, FEDERATED), 7: approve, 8: enable, 9: enable}),
}


def play(engagement_purchase: Purchase, script: Script) -> list[dict]:
    """What the workflow does, without Temporal: the same calls in the same order."""
    policy = BenefitPolicy()
    engagement_id = engagement_id_for(engagement_purchase.tenant_id)
    engagement = Engagement.open(EngagementInput(purchase=engagement_purchase, policy=policy), engagement_id, START)
    steps: list[dict] = []

    def step(what: str, now: datetime, **facts) -> None:
        state = json.loads(engagement.view().model_dump_json())
        canonical = json.dumps(state, sort_keys=True).encode()
        steps.append({"what": what, "at": now.isoformat(), **facts, "state_sha256": hashlib.sha256(canonical).hexdigest()})
        if engagement.state.phase.is_closed or what == "eligibility":
            steps[-1]["state"] = state  # whole at the ends, a fingerprint in between

    now = START
    engagement.record_eligibility(check_eligibility(engagement_purchase, policy), now)
    step("eligibility", now)
    days = sorted(script)
    while True:
        if engagement.state.phase.is_closed:
            handed = engagement.hand_over_messages()
            step("closed", now, handed_over=[[m.key, m.send_at.isoformat()] for m in handed])
            return steps
        due = engagement.due_messages(now)
        for message in due:
            engagement.record_delivery(message, now)
        reminder = engagement.next_reminder()
        step("tick", now, due=[[m.key, m.send_at.isoformat()] for m in due],
             reminder=reminder.model_dump(mode="json") if reminder else None)
        acting_at = START.replace(hour=10, minute=0) + timedelta(days=days[0]) if days else None
        if acting_at is not None and (reminder is None or acting_at <= reminder.at):
            now = acting_at
            for action in script[days.pop(0)](engagement):
                receipt = engagement.apply(action, now)
                if isinstance(action, KickoffHeld):
                    engagement.confirm_scope(now)
                step("action", now, action=type(action).__name__, receipt=receipt.message)
            continue
        if reminder is None or reminder.at > START + HORIZON:
            return steps
        now = max(now, reminder.at)
        engagement.advance_clock(now)


def characterize() -> dict[str, list[dict]]:
    return {name: play(engagement_purchase, script) for name, (engagement_purchase, script) in PATHS.items()}


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(characterize(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT} ({SNAPSHOT.stat().st_size // 1024} KiB)", file=sys.stderr)
