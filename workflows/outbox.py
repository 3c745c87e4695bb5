"""How the engagement's messages leave it: one by one as they fall due while it
is open, and all at once, to a MessageDeliveryWorkflow, when it closes."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.message_handover import MessageHandover
    from fasttrack.contract import message_delivery_id_for
    from fasttrack.engagement import Engagement
    from fasttrack.models import MessageDelivery
    from workflows.message_delivery import failure_reason, send

HANDOVER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


async def deliver_due_messages(engagement: Engagement) -> None:
    """Sends the messages that have fallen due, oldest first, and records each outcome."""
    for notification in engagement.due_messages(workflow.now()):
        try:
            await send(notification)
            engagement.record_delivery(notification, workflow.now())
        except ActivityError as error:
            reason = failure_reason(error)
            engagement.record_delivery_failure(notification, reason, workflow.now())
            workflow.logger.warning("notification failed", extra={"key": notification.key, "reason": reason})


async def hand_over_messages(engagement: Engagement) -> None:
    """Has the workflow that delivers what is still to send started, and lets this
    run complete: the outcome is never held up by business hours or a mail server."""
    messages = engagement.hand_over_messages()
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
