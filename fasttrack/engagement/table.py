"""Every action, what it does, and in which phases it is taken — the README's
lifecycle table, in code. ``Engagement.check`` refuses an action out of its
phases before the action's own check runs; ``apply`` runs both, then the apply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fasttrack.engagement.assess import AssessRules
from fasttrack.engagement.calls import CallRules
from fasttrack.engagement.closing import ClosingRules
from fasttrack.engagement.enable_core import EnableCoreRules
from fasttrack.engagement.enable_intune import EnableIntuneRules
from fasttrack.engagement.initiate import InitiateRules
from fasttrack.engagement.remediate import RemediateRules
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

ELIGIBILITY, INITIATE, ASSESS, REMEDIATE = Phase.ELIGIBILITY, Phase.INITIATE, Phase.ASSESS, Phase.REMEDIATE
ENABLE_CORE, ENABLE_INTUNE = Phase.ENABLE_CORE, Phase.ENABLE_INTUNE
OPEN_PHASES = (ELIGIBILITY, INITIATE, ASSESS, REMEDIATE, ENABLE_CORE, ENABLE_INTUNE)


@dataclass(frozen=True)
class ActionRule:
    action: type[Action]
    doing: str  # "Cannot <doing> now: …"
    phases: tuple[Phase, ...]
    check: Callable[[Any, Any, datetime], None]
    apply: Callable[[Any, Any, datetime], str]


RULES: dict[type[Action], ActionRule] = {rule.action: rule for rule in (
    ActionRule(ContactMade, "record contact", (ELIGIBILITY, INITIATE),
               InitiateRules._check_contact, InitiateRules._apply_contact),
    ActionRule(AssistanceRequested, "request assistance", (ELIGIBILITY, INITIATE),
               InitiateRules._check_assistance, InitiateRules._apply_assistance),
    ActionRule(KickoffHeld, "hold the kickoff", (INITIATE,),
               InitiateRules._check_kickoff, InitiateRules._apply_kickoff),
    ActionRule(EnvironmentSubmitted, "submit the source environment", (ASSESS,),
               AssessRules._check_environment, AssessRules._apply_environment),
    ActionRule(PlanAgreed, "agree the remediation plan", (ASSESS,),
               AssessRules._check_plan, AssessRules._apply_plan),
    ActionRule(RemediationItemDone, "complete a remediation item", (REMEDIATE,),
               RemediateRules._check_item_done, RemediateRules._apply_item_done),
    ActionRule(CheckpointHeld, "record a checkpoint call", (REMEDIATE,),
               RemediateRules._check_checkpoint, RemediateRules._apply_checkpoint),
    ActionRule(VerificationResult, "record the joint verification", (REMEDIATE,),
               RemediateRules._check_verification, RemediateRules._apply_verification),
    ActionRule(TaskDone, "complete an Enable task", (ENABLE_CORE, ENABLE_INTUNE),
               EnableCoreRules._check_task, EnableCoreRules._apply_task),
    ActionRule(DeviceEnrolled, "enroll a test device", (ENABLE_INTUNE,),
               EnableIntuneRules._check_device, EnableIntuneRules._apply_device),
    ActionRule(AppSelected, "select an app", (ENABLE_INTUNE,),
               EnableIntuneRules._check_app, EnableIntuneRules._apply_app),
    # The kickoff in Initiate, the next checkpoint call in Remediate.
    ActionRule(CallRescheduled, "reschedule a call", (INITIATE, REMEDIATE),
               CallRules._check_reschedule, CallRules._apply_reschedule),
    ActionRule(Withdrawal, "withdraw", OPEN_PHASES,
               ClosingRules._check_withdrawal, ClosingRules._apply_withdrawal),
)}
