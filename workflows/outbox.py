"""How the engagement's messages leave it: one by one as they fall due while it
is open, and all at once, to a MessageDeliveryWorkflow, when it closes.

A message's arrival (its activity's completion) records the delivery and issues no
command: see "What runs where" in workflows/engagement.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from activities.message_handover import MessageHandover
    from fasttrack.contract import message_delivery_id_for
    from fasttrack.engagement import Engagement
    from fasttrack.models import MessageDelivery, Notification
    from workflows import metrics
    from workflows.log_fields import failure_kind
    from workflows.message_delivery import ATTEMPT_TIMEOUT, failure_reason, send
    from workflows.patches import ARRIVALS_WITHOUT_COMMANDS, Patches

HANDOVER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


async def recorded(engagement: Engagement, message: Notification, sending: Awaitable[object]) -> None:
    """Awaits a message's sending and records its outcome on the engagement."""
    try:
        await sending
        engagement.record_delivery(message, workflow.now())
        metrics.count(metrics.SENT, kind=message.kind.value)
    except ActivityError as error:
        reason = failure_reason(error)
        engagement.record_delivery_failure(message, reason, workflow.now())
        metrics.count(metrics.FAILED, kind=message.kind.value)
        workflow.logger.warning("notification failed", extra={"key": message.key, "failure": failure_kind(error)})


async def deliver_due_messages(engagement: Engagement) -> None:
    """Sends the messages that have fallen due, oldest first, one after another
    (engagements started before "messages-on-their-own")."""
    for notification in engagement.due_messages(workflow.now()):
        await recorded(engagement, notification, send(notification))


class Deliveries:
    """Messages on their way, each on its own: the engagement's clock never waits
    for a mail server, and a manager's escalation never queues behind a customer's
    message that cannot be sent."""

    IN_FLIGHT_AT_CLOSING = timedelta(seconds=10)

    def __init__(self, engagement: Engagement, patches: Patches) -> None:
        self.engagement = engagement
        self.patches = patches
        self.in_flight: dict[str, Notification] = {}
        self.late: dict[str, datetime] = {}  # on their way for longer than the policy allows, since when
        # Messages a late run carried over while flagged late stay late here until they go.
        delayed = engagement.state.messages_delayed_since is not None
        self.carried_late = {message.key for message in engagement.state.scheduled_messages} if delayed else set()

    def start_due(self) -> None:
        for message in self.engagement.due_messages(workflow.now()):
            self.in_flight[message.key] = message
            asyncio.create_task(self._deliver(message))

    def needs_review(self) -> bool:
        """The engagement's risk flag no longer says whether a message is late."""
        return self._any_late() != (self.engagement.state.messages_delayed_since is not None)

    def review(self) -> None:
        """Shows a risk while a message is late; clears it once none is."""
        if self._any_late() and self.engagement.state.messages_delayed_since is None:
            self.engagement.record_messages_delayed(min(self.late.values()), workflow.now())
        elif not self._any_late() and self.engagement.state.messages_delayed_since is not None:
            self.engagement.record_messages_flowing(workflow.now())

    def _any_late(self) -> bool:
        if self.carried_late:
            waiting = {message.key for message in self.engagement.state.scheduled_messages} | set(self.in_flight)
            self.carried_late &= waiting
        return bool(self.late) or bool(self.carried_late)

    async def _deliver(self, message: Notification) -> None:
        started = workflow.now()
        sending = asyncio.ensure_future(send(message))
        try:
            # Added while engagements were running (tests/histories/v6): a timer of
            # each message's own flags it late. Since v14 that timer is left to fire:
            # cancelling it when the message arrives was a command issued by an arrival.
            if self.patches.patched(ARRIVALS_WITHOUT_COMMANDS):
                asyncio.create_task(self._watch(message, started))
            elif self.patches.patched(patches.MESSAGE_WATCHDOG):
                try:
                    await workflow.wait_condition(sending.done, timeout=self.engagement.policy.messages_delayed_after,
                                                  timeout_summary=f"Late if not sent by then: {message.summary}")
                except asyncio.TimeoutError:
                    self.late[message.key] = started
            await recorded(self.engagement, message, sending)
        except Exception as error:  # never lose a message silently in a task nobody awaits
            self.engagement.record_delivery_failure(message, f"{type(error).__name__}: {error}", workflow.now())
            workflow.logger.error("notification not sent", extra={"key": message.key, "failure": failure_kind(error)})
        finally:
            del self.in_flight[message.key]
            self.late.pop(message.key, None)

    async def _watch(self, message: Notification, started: datetime) -> None:
        """Flags ``message`` late if it is still on its way when its own timer fires;
        once it has gone, the timer fires to no effect."""
        await workflow.sleep(self.engagement.policy.messages_delayed_after,
                             summary=f"Late if not sent by then: {message.summary}")
        if message.key in self.in_flight:
            self.late[message.key] = started

    async def still_on_their_way(self, settled: Callable[[], bool] = lambda: True) -> list[Notification]:
        """At closing (or continue-as-new): a few seconds for those on their way to
        arrive, and for whatever else ``settled`` waits for; the others go on later,
        sent once, by their key."""
        if self.in_flight or not settled():
            try:
                await workflow.wait_condition(lambda: not self.in_flight and settled(),
                                              timeout=self.IN_FLIGHT_AT_CLOSING,
                                              timeout_summary="Messages on their way at closing")
            except asyncio.TimeoutError:
                pass  # still on their way: handed over below
        # Handed over to go out once the attempt in hand has ended (it may still be
        # talking to the mail server): the next attempt then finds it in the ledger.
        later = workflow.now() + ATTEMPT_TIMEOUT + timedelta(seconds=10)
        return [message.model_copy(update={"send_at": later}) for message in self.in_flight.values()]


async def hand_over_messages(engagement: Engagement, on_their_way: Sequence[Notification] = ()) -> None:
    """Has the workflow that delivers what is still to send started, and lets this
    run complete: the outcome is never held up by business hours or a mail server."""
    messages = list(on_their_way) + engagement.hand_over_messages()
    if messages:
        info = workflow.info()
        delivery_id = message_delivery_id_for(info.workflow_id, info.first_execution_run_id)
        closed_as = engagement.state.phase
        await workflow.execute_activity(
            "hand_over_messages",
            MessageHandover(
                delivery_workflow_id=delivery_id,
                delivery=MessageDelivery(engagement_id=info.workflow_id, closed_as=closed_as, messages=messages),
            ),
            result_type=str,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=HANDOVER_RETRY,
            summary=f"Hand over {len(messages)} message(s) to workflow {delivery_id}",
        )
        engagement.record_hand_over(messages, delivery_id, workflow.now())
