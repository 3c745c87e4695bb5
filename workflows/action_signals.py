"""Every action the engagement takes as a Workflow Update can also arrive as a
Signal of the same name, for systems and people that send and do not wait: from
the Temporal UI ("Send a Signal"), the `temporal` CLI, or another service.

A signal carries the update's JSON, plus an optional ``request_id`` that makes it
apply once however often it is sent. It is checked by the same rules as the
update; a refusal, which a signal cannot answer, is recorded on the timeline as
``event_refused`` and shown as a risk. A signal of a name the engagement does not
know is recorded the same way, with the names it knows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue

with workflow.unsafe.imports_passed_through():
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
        PlanAgreed,
        RemediationItemDone,
        TaskDone,
        VerificationResult,
        Withdrawal,
    )

SIGNALLED_ACTIONS: dict[str, type[Action]] = {
    "record_contact": ContactMade,
    "request_assistance": AssistanceRequested,
    "hold_kickoff": KickoffHeld,
    "submit_environment": EnvironmentSubmitted,
    "agree_plan": PlanAgreed,
    "complete_remediation_item": RemediationItemDone,
    "hold_checkpoint": CheckpointHeld,
    "verify_remediation": VerificationResult,
    "complete_task": TaskDone,
    "enroll_test_device": DeviceEnrolled,
    "select_app": AppSelected,
    "reschedule_call": CallRescheduled,
    "withdraw": Withdrawal,
}
OTHER_SIGNALS = ("purchase_received",)


class ActionSignals:
    """Mixed into the workflow, which provides ``_signalled`` and ``_unknown_signal``."""

    def _signalled(self, name: str, payload: Any) -> None:
        raise NotImplementedError

    def _unknown_signal(self, name: str) -> None:
        raise NotImplementedError

    @workflow.signal(dynamic=True, description="Any other signal: recorded as refused, with the names known.")
    def _any_other_signal(self, name: str, args: Sequence[RawValue]) -> None:
        self._unknown_signal(name)


def _signal(name: str):
    def handler(self, *args: Any) -> None:
        # Any number of arguments: one that fails the call would fail the task, for good.
        self._signalled(name, args[0] if len(args) == 1 else list(args))

    handler.__name__ = handler.__qualname__ = f"signal_{name}"
    return workflow.signal(name=name, description=(
        f"The {name} update as a signal: the same JSON, plus an optional request_id (applied once); "
        "a refusal is recorded on the timeline (event_refused)."
    ))(handler)


for _name in SIGNALLED_ACTIONS:
    setattr(ActionSignals, f"signal_{_name}", _signal(_name))
