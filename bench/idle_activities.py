"""Activities with the product's names and answers, but none of their I/O: no mail
built or sent, nothing written to the register. A lever row only, a ceiling never
shipped: what the workflows cost when their activities cost about what the baseline's
do-nothing activity costs. Handing closed engagements' messages over to their delivery
workflow is orchestration, and stays the product's own."""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client

from activities.eligibility import verify_eligibility
from activities.message_handover import MessageHandoverActivity
from activities.notifier import message_id_for
from fasttrack.models import DeliveryReceipt, Notification, RegisterClosing, RegisterProgress


@activity.defn(name="send_notification")
async def send_notification(notification: Notification) -> DeliveryReceipt:
    return DeliveryReceipt(key=notification.key, message_id=message_id_for(notification),
                           recipients=notification.to or ["manager@example.com"], already_delivered=False)


@activity.defn(name="record_progress")
async def record_progress(progress: RegisterProgress) -> None:
    return None


@activity.defn(name="record_closing")
async def record_closing(closing: RegisterClosing) -> None:
    return None


def idle_activities(client: Client) -> list:
    """Eligibility is a rule checked in memory already: the product's own, as is the handover."""
    return [verify_eligibility, send_notification, MessageHandoverActivity(client).hand_over_messages,
            record_progress, record_closing]
