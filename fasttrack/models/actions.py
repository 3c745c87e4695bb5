"""Commands: the inputs of the Workflow Updates, and their receipt.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from fasttrack.base import StrictModel
from fasttrack.models.common import Phase
from fasttrack.models.scope import Scope, SourceEnvironment
from fasttrack.models.text import ItemId, Name, Text, one_line
from fasttrack.models.work import LinkType
from fasttrack.policy import MdmPlatform


class ActionEvent(StrEnum):
    """What the timeline records of an action (``TimelineEvent.what``): wire names,
    never renamed; beside the models so that an action is declared in one file."""

    CONTACT_MADE = "contact_made"
    ASSISTANCE_REQUESTED = "assistance_requested"
    KICKOFF_HELD = "kickoff_held"
    ENVIRONMENT_SUBMITTED = "environment_submitted"
    PLAN_AGREED = "plan_agreed"
    REMEDIATION_ITEM_DONE = "remediation_item_done"
    CHECKPOINT_HELD = "checkpoint_held"
    VERIFICATION_APPROVED = "verification_approved"
    VERIFICATION_REJECTED = "verification_rejected"
    TASK_DONE = "task_done"
    TEST_DEVICE_ENROLLED = "test_device_enrolled"
    APP_SELECTED = "app_selected"
    WITHDRAWN = "withdrawn"


class Action(StrictModel):
    by: Name = Field(description="Who did it: a person's name or a system's name.")
    note: Text | None = None


class ContactMade(Action):
    pass


class AssistanceRequested(Action):
    pass


class KickoffHeld(Action):
    scope: Scope


class EnvironmentSubmitted(Action):
    environment: SourceEnvironment


class PlanAgreed(Action):
    checkpoint_cadence: Annotated[str, StringConstraints(max_length=40)] | None = None
    target_date: date


class RemediationItemDone(Action):
    item_id: ItemId


class CheckpointHeld(Action):
    pass


class VerificationResult(Action):
    approved: bool
    reopen_item_ids: list[ItemId] = Field(default_factory=list, max_length=200)


class TaskDone(Action):
    task_id: ItemId


class DeviceEnrolled(Action):
    platform: MdmPlatform
    device_name: Name


class AppSelected(Action):
    platform: MdmPlatform
    app_name: Name
    link_type: LinkType
    link: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(one_line)
    ]


class Withdrawal(Action):
    reason: Text


class CallKind(StrEnum):
    KICKOFF = "kickoff"
    CHECKPOINT = "checkpoint"


class CallRescheduled(Action):
    call: CallKind
    start: AwareDatetime


class ActionReceipt(StrictModel):
    engagement_id: str
    phase: Phase
    message: str
