"""Starts the workflow that delivers an engagement's last messages, so that the
engagement's own run can complete the moment it closes."""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from fasttrack.base import StrictModel
from fasttrack.models import MessageDelivery

DELIVERY_WORKFLOW = "MessageDeliveryWorkflow"


class MessageHandover(StrictModel):
    delivery_workflow_id: str
    delivery: MessageDelivery


class MessageHandoverActivity:
    """Starts the delivery through the client rather than as a child workflow with an
    abandon policy. Both outlive the engagement's run; this one also leaves
    Temporal's time-skipping test server able to skip time afterwards, which an
    abandoned child that outlives its parent does not (sdk-typescript#1101)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name="hand_over_messages")
    async def hand_over_messages(self, handover: MessageHandover) -> str:
        delivery = handover.delivery
        try:
            await self._client.start_workflow(
                DELIVERY_WORKFLOW,
                delivery,
                id=handover.delivery_workflow_id,
                task_queue=activity.info().task_queue,
                # One delivery per closing, whatever the retries: a start that already
                # happened (even one whose messages are all sent) is not repeated.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                static_summary=(
                    f"Messages of {delivery.engagement_id} after it closed ({delivery.closed_as.value}): "
                    f"{len(delivery.messages)}"
                ),
                static_details="\n".join(
                    f"- {message.summary}: {message.send_at:%Y-%m-%d %H:%M} UTC" for message in delivery.messages
                ),
            )
        except WorkflowAlreadyStartedError:
            pass
        activity.logger.info(
            "messages handed over",
            extra={"delivery_workflow_id": handover.delivery_workflow_id, "messages": len(delivery.messages)},
        )
        return handover.delivery_workflow_id
