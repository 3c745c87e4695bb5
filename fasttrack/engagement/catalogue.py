"""The action catalogue: one row says everything about an action — its model, the
name of its Workflow Update and Signal, what it records (the update's description
in the Temporal UI), the phases that allow it, its check and its apply, and what
its update id names. In lifecycle order, the lifecycle page's table (docs/lifecycle.md) in code.

Everything else is derived from it: the workflow's signals, the HTTP intake's
action names, the update ids, the command line's and the simulated customer's
update names; tests/unit/test_catalogue.py holds the workflow's update handlers
to it. ``Engagement.check`` refuses an action out of its phases before the
action's own check runs; ``apply`` runs both, then the apply."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar, cast

from fasttrack.engagement import assess, calls, closing, enable_core, enable_intune, initiate, remediate
from fasttrack.engagement.core import EngagementParts
from fasttrack.models import actions
from fasttrack.models.actions import Action
from fasttrack.models.common import Phase

ELIGIBILITY, INITIATE, ASSESS, REMEDIATE = Phase.ELIGIBILITY, Phase.INITIATE, Phase.ASSESS, Phase.REMEDIATE
ENABLE_CORE, ENABLE_INTUNE = Phase.ENABLE_CORE, Phase.ENABLE_INTUNE
OPEN_PHASES = (ELIGIBILITY, INITIATE, ASSESS, REMEDIATE, ENABLE_CORE, ENABLE_INTUNE)


A = TypeVar("A", bound=Action)


def _names_nothing(action: Action) -> str | None:
    return None


@dataclass(frozen=True)
class ActionRule(Generic[A]):
    action: type[A]
    name: str  # the update's and the signal's: a wire contract, never renamed
    description: str  # the update's, as the Temporal UI shows it
    doing: str  # "Cannot <doing> now: …"
    phases: tuple[Phase, ...]
    check: Callable[[EngagementParts, A, datetime], None]  # raises ActionRejected, changes nothing
    apply: Callable[[EngagementParts, A, datetime], str]  # what the person who acted is told
    # What its update id names, if one thing: only words the product made (ids, enums), since
    # Temporal keeps update ids in clear; the customer's words are in the encrypted payload only.
    subject: Callable[[A], str | None] = _names_nothing


CATALOGUE: tuple[ActionRule[Any], ...] = (
    ActionRule(actions.ContactMade, "record_contact", "FastTrack reached the customer (Initiate).",
               "record contact", (ELIGIBILITY, INITIATE), initiate.check_contact, initiate.apply_contact),
    ActionRule(actions.AssistanceRequested, "request_assistance",
               "The customer requested assistance from the FastTrack portal (Initiate).",
               "request assistance", (ELIGIBILITY, INITIATE), initiate.check_assistance, initiate.apply_assistance),
    ActionRule(actions.KickoffHeld, "hold_kickoff", "The kickoff was held and the scope agreed (ends Initiate).",
               "hold the kickoff", (INITIATE,), initiate.check_kickoff, initiate.apply_kickoff),
    ActionRule(actions.EnvironmentSubmitted, "submit_environment", "The customer submitted the source environment (Assess).",
               "submit the source environment", (ASSESS,), assess.check_environment, assess.apply_environment),
    ActionRule(actions.PlanAgreed, "agree_plan", "Remediation plan and checkpoint cadence agreed (ends Assess).",
               "agree the remediation plan", (ASSESS,), assess.check_plan, assess.apply_plan),
    ActionRule(actions.RemediationItemDone, "complete_remediation_item",
               "The customer completed one remediation checklist item (Remediate).",
               "complete a remediation item", (REMEDIATE,), remediate.check_item_done, remediate.apply_item_done,
               subject=lambda action: action.item_id),
    ActionRule(actions.CheckpointHeld, "hold_checkpoint", "A checkpoint call was held (Remediate).",
               "record a checkpoint call", (REMEDIATE,), remediate.check_checkpoint, remediate.apply_checkpoint),
    ActionRule(actions.VerificationResult, "verify_remediation",
               "Joint verification of the remediation: approve, or reject and reopen items.",
               "record the joint verification", (REMEDIATE,), remediate.check_verification,
               remediate.apply_verification, subject=lambda action: "approved" if action.approved else "rejected"),
    ActionRule(actions.TaskDone, "complete_task", "One Enable task (core capabilities, then Intune) is done.",
               "complete an Enable task", (ENABLE_CORE, ENABLE_INTUNE), enable_core.check_task, enable_core.apply_task,
               subject=lambda action: action.task_id),
    ActionRule(actions.DeviceEnrolled, "enroll_test_device",
               "A test device was enrolled (Enable — Intune, MDM; at most 2 per platform).",
               "enroll a test device", (ENABLE_INTUNE,), enable_intune.check_device, enable_intune.apply_device,
               subject=lambda action: action.platform.value),  # the device's name is the customer's words
    ActionRule(actions.AppSelected, "select_app",
               "The customer selected an app to deploy (Enable — Intune, MDM; at most 2 per platform).",
               "select an app", (ENABLE_INTUNE,), enable_intune.check_app, enable_intune.apply_app),
    # The kickoff in Initiate, the next checkpoint call in Remediate.
    ActionRule(actions.CallRescheduled, "reschedule_call",
               "Move the proposed kickoff or the next checkpoint call (business hours only).",
               "reschedule a call", (INITIATE, REMEDIATE), calls.check_reschedule, calls.apply_reschedule,
               subject=lambda action: action.call.value),
    ActionRule(actions.Withdrawal, "withdraw", "The customer withdrew from the engagement, with a reason.",
               "withdraw", OPEN_PHASES, closing.check_withdrawal, closing.apply_withdrawal),
)
RULES: Mapping[type[Action], ActionRule[Any]] = MappingProxyType({rule.action: rule for rule in CATALOGUE})
NAMED: Mapping[str, ActionRule[Any]] = MappingProxyType({rule.name: rule for rule in CATALOGUE})


def update_name_of(action: Action) -> str:
    return RULES[type(action)].name


def rule_for(action: A) -> ActionRule[A]:
    """The row of ``action``'s type, typed for it (the dict cannot say that each key's row matches it)."""
    return cast(ActionRule[A], RULES[type(action)])
