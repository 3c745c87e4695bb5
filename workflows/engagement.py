"""EngagementWorkflow: one FastTrack engagement for Intune, from purchase to its outcome.

What runs where (the order of work must not depend on how a workflow task's work
reaches the worker):

- An update or signal handler checks its action and applies it; it may publish
  where the engagement stands (search attributes, a register write) and ask
  ``patched``. The run loop then wakes on what changed.
- An arrival (a message sent, a register write done) records what happened and
  issues no command: a message's watchdog timer is left to fire.
- Every other command comes from the run loop.

Why: a query that reaches the engagement while a workflow task waits is answered,
on a worker that still holds the engagement, by taking in that task's events
first, at the time of the task before: the code they wake runs then, before an
update that came in the same task, and its commands go out first; a later replay
takes them in at the task's own time, after the update. An arrival with no
command leaves both orders the same. The run loop's work on such an early wake
(the eligibility verdict, its own timer) never runs: the worker refuses that
activation (workers/task_clock_guard.py) and the task replays it at its own time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from pydantic import ValidationError

    from activities.eligibility import EligibilityRequest, verify_eligibility
    from fasttrack import contract
    from fasttrack.engagement import Engagement
    from fasttrack.engagement.catalogue import NAMED
    from fasttrack.models import EngagementInput, EngagementResult, EngagementState, Purchase
    from fasttrack.models import actions
    from fasttrack.models.actions import ActionReceipt
    from workflows.acting import Acting
    from workflows.action_signals import ActionSignals, signal_handlers
    from workflows.carry_over import CarryOver
    from workflows.outbox import Deliveries, deliver_due_messages, hand_over_messages
    from workflows.patches import Patches
    from workflows.payloads import read
    from workflows.publishing import Publisher
    from workflows.registering import RegisterWrites

TASK_QUEUE = contract.TASK_QUEUE

ELIGIBILITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=5))


@workflow.defn
@signal_handlers(lambda engagement_workflow: engagement_workflow._signals)
class EngagementWorkflow:
    """Carries one tenant's FastTrack engagement for Intune through Initiate,
    Assess, Remediate and Enable, for at most the onboarding window."""

    @workflow.init
    def __init__(self, engagement_input: EngagementInput) -> None:
        self._patches = Patches()
        # The input stays with the run: its rules are swapped for the copy every
        # engagement with the same rules shares, which the carry-over writes the same.
        engagement_input.policy = engagement_input.policy.shared()
        if engagement_input.resume is not None:
            self._engagement = Engagement(engagement_input.resume, engagement_input.policy)
        else:
            self._engagement = Engagement.open(engagement_input, workflow.info().workflow_id, workflow.now())
        self._publisher = Publisher(self._patches)
        self._register = RegisterWrites(self._patches)
        self._deliveries = Deliveries(self._engagement, self._patches)
        self._acting = Acting(self._engagement, self._patches, self._show)
        self._signals = ActionSignals(self._engagement, self._patches, self._acting, self._show)
        self._carry_over = CarryOver(self._engagement, self._patches, self._deliveries, self._register, self._show)

    @workflow.run
    async def run(self, engagement_input: EngagementInput) -> EngagementResult:
        engagement = self._engagement
        self._show()
        if engagement_input.resume is None:
            verdict = await workflow.execute_activity(
                verify_eligibility,
                EligibilityRequest(purchase=engagement_input.purchase, policy=engagement_input.policy),
                start_to_close_timeout=timedelta(seconds=10),  # a rule check today, a commerce lookup later
                retry_policy=ELIGIBILITY_RETRY,
                summary="Verify eligibility (R1)",
            )
            engagement.record_eligibility(verdict, workflow.now())

        while True:
            if engagement.state.phase.is_closed and self._closes_at_once():
                await self._register.close(engagement)
                on_their_way = await self._deliveries.still_on_their_way()
                await hand_over_messages(engagement, on_their_way)
                self._show()
                break
            if self._delivers_on_their_own():
                self._deliveries.start_due()
                self._deliveries.review()
            else:
                await deliver_due_messages(engagement)
            self._show()
            reminder = engagement.next_reminder()
            if reminder is None:  # closed, and every message sent
                break
            if self._carry_over.is_due():
                await self._carry_over.continue_as_new(engagement_input)
            delay = reminder.at - workflow.now()
            if delay > timedelta(0):
                try:
                    await workflow.wait_condition(
                        lambda: engagement.next_reminder() != reminder
                        or self._carry_over.is_due()
                        or self._deliveries.needs_review()
                        or self._closed_now(),
                        timeout=delay,
                        timeout_summary=reminder.summary,
                    )
                except asyncio.TimeoutError:
                    pass
            self._acting.keep_messages_current()
            engagement.advance_clock(workflow.now())

        await self._register.close(engagement)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return engagement.result()

    def _show(self) -> None:
        """Where the engagement stands, in Temporal (search attributes, details) and in the register."""
        self._publisher.publish(self._engagement)
        self._register.note(self._engagement)

    def _delivers_on_their_own(self) -> bool:
        # Added while engagements were running (tests/histories/v5): each message is
        # sent on its own and the run loop goes on. Those started before send them in turn.
        return self._patches.patched(patches.MESSAGES_ON_THEIR_OWN)

    def _closed_now(self) -> bool:
        # The engagement closed while its next reminder stayed the same (a message
        # waiting for business hours): wake up to complete, where the patch allows.
        return self._engagement.state.phase.is_closed and self._closes_at_once()

    def _closes_at_once(self) -> bool:
        # Added while engagements were running (tests/histories/v4): a closed
        # engagement's run completes at once and hands the messages still due to a
        # MessageDeliveryWorkflow. Those that closed before send them themselves.
        return self._patches.patched(patches.CLOSE_AT_ONCE)

    # ------------------------------------------------------------ actions: one update per row of the action
    # catalogue (fasttrack/engagement/catalogue.py), checked and applied by workflows/acting.py

    @workflow.update(description=NAMED["record_contact"].description)
    def record_contact(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.ContactMade, payload))

    @record_contact.validator
    def _validate_contact(self, payload: Any) -> None:
        self._acting.check_update(actions.ContactMade, payload)

    @workflow.update(description=NAMED["request_assistance"].description)
    def request_assistance(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.AssistanceRequested, payload))

    @request_assistance.validator
    def _validate_assistance(self, payload: Any) -> None:
        self._acting.check_update(actions.AssistanceRequested, payload)

    @workflow.update(description=NAMED["hold_kickoff"].description)
    def hold_kickoff(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.KickoffHeld, payload))

    @hold_kickoff.validator
    def _validate_kickoff(self, payload: Any) -> None:
        self._acting.check_update(actions.KickoffHeld, payload)

    @workflow.update(description=NAMED["submit_environment"].description)
    def submit_environment(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.EnvironmentSubmitted, payload))

    @submit_environment.validator
    def _validate_environment(self, payload: Any) -> None:
        self._acting.check_update(actions.EnvironmentSubmitted, payload)

    @workflow.update(description=NAMED["agree_plan"].description)
    def agree_plan(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.PlanAgreed, payload))

    @agree_plan.validator
    def _validate_plan(self, payload: Any) -> None:
        self._acting.check_update(actions.PlanAgreed, payload)

    @workflow.update(description=NAMED["complete_remediation_item"].description)
    def complete_remediation_item(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.RemediationItemDone, payload))

    @complete_remediation_item.validator
    def _validate_item_done(self, payload: Any) -> None:
        self._acting.check_update(actions.RemediationItemDone, payload)

    @workflow.update(description=NAMED["hold_checkpoint"].description)
    def hold_checkpoint(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.CheckpointHeld, payload))

    @hold_checkpoint.validator
    def _validate_checkpoint(self, payload: Any) -> None:
        self._acting.check_update(actions.CheckpointHeld, payload)

    @workflow.update(description=NAMED["verify_remediation"].description)
    def verify_remediation(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.VerificationResult, payload))

    @verify_remediation.validator
    def _validate_verification(self, payload: Any) -> None:
        self._acting.check_update(actions.VerificationResult, payload)

    @workflow.update(description=NAMED["complete_task"].description)
    def complete_task(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.TaskDone, payload))

    @complete_task.validator
    def _validate_task(self, payload: Any) -> None:
        self._acting.check_update(actions.TaskDone, payload)

    @workflow.update(description=NAMED["enroll_test_device"].description)
    def enroll_test_device(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.DeviceEnrolled, payload))

    @enroll_test_device.validator
    def _validate_device(self, payload: Any) -> None:
        self._acting.check_update(actions.DeviceEnrolled, payload)

    @workflow.update(description=NAMED["select_app"].description)
    def select_app(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.AppSelected, payload))

    @select_app.validator
    def _validate_app(self, payload: Any) -> None:
        self._acting.check_update(actions.AppSelected, payload)

    @workflow.update(description=NAMED["reschedule_call"].description)
    def reschedule_call(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.CallRescheduled, payload))

    @reschedule_call.validator
    def _validate_reschedule(self, payload: Any) -> None:
        self._acting.check_update(actions.CallRescheduled, payload)

    @workflow.update(description=NAMED["withdraw"].description)
    def withdraw(self, payload: Any) -> ActionReceipt:
        return self._acting.act(read(actions.Withdrawal, payload))

    @withdraw.validator
    def _validate_withdrawal(self, payload: Any) -> None:
        self._acting.check_update(actions.Withdrawal, payload)

    # ------------------------------------------------------------ events from other systems

    @workflow.signal(description="Commerce reported another purchase for this tenant: recorded on this engagement.")
    def purchase_received(self, event: Any) -> None:
        # Validated here, not by the data converter: a malformed event from another
        # system is noted and dropped, and never fails the workflow task.
        try:
            purchase = Purchase.model_validate(event)
        except ValidationError as error:
            self._engagement.record_refused_event("purchase_received", error.errors()[0]["msg"], workflow.now())
            workflow.logger.warning("malformed purchase event dropped",
                                   extra={"problems": sorted({problem["type"] for problem in error.errors()})})
            return
        self._engagement.record_additional_purchase(purchase, workflow.now())

    @workflow.signal(dynamic=True, description="Any other signal: recorded as refused, with the names known.")
    def any_other_signal(self, name: str, args: Sequence[RawValue]) -> None:
        self._signals.unknown(name)

    # ------------------------------------------------------------ reading

    @workflow.query(description="The whole engagement: phase, timeline, checklist, tasks, deadlines, SLA flags.")
    def state(self) -> EngagementState:
        return self._engagement.view()

    @workflow.query(description="The engagement without its timeline, as `fasttrack status` shows it: phase, "
                                "checklist, tasks, deadlines, SLA flags.")
    def standing(self) -> EngagementState:
        return self._engagement.view(with_timeline=False)
