"""MessageDeliveryWorkflow: the messages an engagement still had to send when it
closed, each delivered on its own at its time (a customer's in their business
hours), after the engagement's own run has completed."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from fasttrack.contract import ErrorType
    from fasttrack.models import (
        DeliveryReceipt,
        MessageDelivery,
        MessageDeliveryResult,
        MessageOutcome,
        Notification,
    )
    from workflows import metrics
    from workflows.log_fields import failure_kind

# A message that cannot be written for two days is recorded as failed (for an
# operator to see) rather than retried forever.
NOTIFICATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    maximum_interval=timedelta(minutes=10),
    non_retryable_error_types=[ErrorType.NO_RECIPIENT, ErrorType.COMPOSITION_FAILED],
)
NOTIFICATION_GIVE_UP_AFTER = timedelta(days=2)
ATTEMPT_TIMEOUT = timedelta(seconds=20)  # the SMTP exchange times out after 10 s


async def send(notification: Notification) -> DeliveryReceipt:
    """Hands one message to the notifier activity (idempotent by the message's key)."""
    receipt: DeliveryReceipt = await workflow.execute_activity(
        "send_notification",
        notification,
        result_type=DeliveryReceipt,
        start_to_close_timeout=ATTEMPT_TIMEOUT,
        schedule_to_close_timeout=NOTIFICATION_GIVE_UP_AFTER,
        retry_policy=NOTIFICATION_RETRY,
        summary=f"Send: {notification.summary}",
    )
    return receipt


def failure_reason(error: ActivityError) -> str:
    return str(error.cause) if error.cause else str(error)


@workflow.defn
class MessageDeliveryWorkflow:
    """Started by an engagement as it closes (parent-close policy: abandon), so the
    engagement's outcome never waits for a customer's business hours or for a
    mail server. Each message waits and is sent independently of the others."""

    @workflow.init
    def __init__(self, delivery: MessageDelivery) -> None:
        self._delivery = delivery
        self._outcomes = [
            MessageOutcome(
                key=message.key,
                kind=message.kind,
                summary=message.summary,
                audience=message.audience,
                send_at=message.send_at,
            )
            for message in delivery.messages
        ]

    @workflow.run
    async def run(self, delivery: MessageDelivery) -> MessageDeliveryResult:
        self._show()
        await asyncio.gather(*(self._deliver(message, outcome) for message, outcome in zip(
            delivery.messages, self._outcomes)))
        return self.outcomes()

    async def _deliver(self, message: Notification, outcome: MessageOutcome) -> None:
        delay = message.send_at - workflow.now()
        if delay > timedelta(0):
            await workflow.sleep(delay, summary=f"{message.summary}: waits until {message.send_at:%Y-%m-%d %H:%M} UTC")
        try:
            await send(message)
            outcome.sent_at = workflow.now()
            metrics.count(metrics.SENT, kind=message.kind.value)
        except ActivityError as error:
            outcome.failure = failure_reason(error)
            metrics.count(metrics.FAILED, kind=message.kind.value)
            workflow.logger.warning("notification failed", extra={"key": message.key, "failure": failure_kind(error)})
        self._show()

    def _show(self) -> None:
        lines = [f"**Messages of {self._delivery.engagement_id}** (closed as {self._delivery.closed_as.value})"]
        for outcome in self._outcomes:
            audience = outcome.audience.value.replace("_", " ")
            lines.append(f"- {outcome.summary} (to the {audience}): {outcome.progress()}")
        workflow.set_current_details("\n".join(lines))

    @workflow.query(description="Each message: when it is due, and when it was sent or why it failed.")
    def outcomes(self) -> MessageDeliveryResult:
        return MessageDeliveryResult(
            engagement_id=self._delivery.engagement_id,
            messages=[outcome.model_copy() for outcome in self._outcomes],
        )
