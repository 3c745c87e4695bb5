"""Every action, what it does, and in which phases it is taken — the README's
lifecycle table, in code. ``Engagement.check`` refuses an action out of its
phases before the action's own check runs; ``apply`` runs both, then the apply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from fasttrack.engagement import assess, calls, closing, enable_core, enable_intune, initiate, remediate
from fasttrack.models import (
    Action,
    AppSelected,
    AssistanceRequested,
    CallRescheduled,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EnvironmentSubmitted,
    KickoffHeld,
    Phase,
    PlanAgreed,
    RemediationItemDone,
    TaskDone,
    VerificationResult,
    Withdrawal,
)

if TYPE_CHECKING:
    from fasttrack.engagement import Engagement

ELIGIBILITY, INITIATE, ASSESS, REMEDIATE = Phase.ELIGIBILITY, Phase.INITIATE, Phase.ASSESS, Phase.REMEDIATE
ENABLE_CORE, ENABLE_INTUNE = Phase.ENABLE_CORE, Phase.ENABLE_INTUNE
OPEN_PHASES = (ELIGIBILITY, INITIATE, ASSESS, REMEDIATE, ENABLE_CORE, ENABLE_INTUNE)


A = TypeVar("A", bound=Action)


@dataclass(frozen=True)
class ActionRule(Generic[A]):
    action: type[A]
    doing: str  # "Cannot <doing> now: …"
    phases: tuple[Phase, ...]
    check: Callable[[Engagement, A, datetime], None]  # raises ActionRejected, changes nothing
    apply: Callable[[Engagement, A, datetime], str]  # what the person who acted is told


RULES: dict[type[Action], ActionRule[Any]] = {rule.action: rule for rule in (
    ActionRule(ContactMade, "record contact", (ELIGIBILITY, INITIATE),
               initiate.check_contact, initiate.apply_contact),
    ActionRule(AssistanceRequested, "request assistance", (ELIGIBILITY, INITIATE),
               initiate.check_assistance, initiate.apply_assistance),
    ActionRule(KickoffHeld, "hold the kickoff", (INITIATE,),
               initiate.check_kickoff, initiate.apply_kickoff),
    ActionRule(EnvironmentSubmitted, "submit the source environment", (ASSESS,),
               assess.check_environment, assess.apply_environment),
    ActionRule(PlanAgreed, "agree the remediation plan", (ASSESS,),
               assess.check_plan, assess.apply_plan),
    ActionRule(RemediationItemDone, "complete a remediation item", (REMEDIATE,),
               remediate.check_item_done, remediate.apply_item_done),
    ActionRule(CheckpointHeld, "record a checkpoint call", (REMEDIATE,),
               remediate.check_checkpoint, remediate.apply_checkpoint),
    ActionRule(VerificationResult, "record the joint verification", (REMEDIATE,),
               remediate.check_verification, remediate.apply_verification),
    ActionRule(TaskDone, "complete an Enable task", (ENABLE_CORE, ENABLE_INTUNE),
               enable_core.check_task, enable_core.apply_task),
    ActionRule(DeviceEnrolled, "enroll a test device", (ENABLE_INTUNE,),
               enable_intune.check_device, enable_intune.apply_device),
    ActionRule(AppSelected, "select an app", (ENABLE_INTUNE,),
               enable_intune.check_app, enable_intune.apply_app),
    # The kickoff in Initiate, the next checkpoint call in Remediate.
    ActionRule(CallRescheduled, "reschedule a call", (INITIATE, REMEDIATE),
               calls.check_reschedule, calls.apply_reschedule),
    ActionRule(Withdrawal, "withdraw", OPEN_PHASES,
               closing.check_withdrawal, closing.apply_withdrawal),
)}


def rule_for(action: A) -> ActionRule[A]:
    """The row of ``action``'s type, typed for it (the dict cannot say that each key's row matches it)."""
    return cast(ActionRule[A], RULES[type(action)])
