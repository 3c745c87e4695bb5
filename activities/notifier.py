"""The notifier: one activity for every message an engagement sends.

Each message is written as an ``.eml`` file in an outbox folder. Its name and
its Message-ID come from the notification's key (engagement and purpose), never
from the attempt, so a retried activity finds the message already there and
does not send it twice.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from fasttrack.messages import render
from fasttrack.models import Audience, DeliveryReceipt, Notification


def message_id_for(notification: Notification) -> str:
    digest = hashlib.sha256(f"{notification.engagement_id}/{notification.key}".encode()).hexdigest()[:32]
    return f"<{digest}@fasttrack-orchestrator>"


class Notifier:
    def __init__(self, outbox: Path, sender: str, fasttrack_manager: str) -> None:
        self.outbox = outbox
        self.sender = sender
        self.fasttrack_manager = fasttrack_manager

    def _path_for(self, notification: Notification) -> Path:
        file_name = notification.key.replace("/", "__") + ".eml"
        return self.outbox / notification.engagement_id / file_name

    @activity.defn(name="send_notification")
    async def send_notification(self, notification: Notification) -> DeliveryReceipt:
        recipients = notification.to
        if notification.audience is Audience.FASTTRACK_MANAGER:
            recipients = [self.fasttrack_manager]
        if not recipients:
            raise ApplicationError(
                f"Notification {notification.key} has no recipient", type="NoRecipient", non_retryable=True
            )
        path = self._path_for(notification)
        message_id = message_id_for(notification)
        if path.exists():
            activity.logger.info("message already delivered", extra={"key": notification.key})
            return DeliveryReceipt(
                key=notification.key, message_id=message_id, location=str(path), already_delivered=True
            )
        subject, body = render(notification)
        message = EmailMessage()
        message["Message-ID"] = message_id
        message["From"] = self.sender
        message["To"] = ", ".join(recipients)
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(timezone.utc))
        message["Content-Language"] = notification.language
        message["X-FastTrack-Engagement"] = notification.engagement_id
        message["X-FastTrack-Kind"] = notification.kind.value
        message.set_content(body)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, path)  # atomic: a crash never leaves half a message in the outbox
        activity.logger.info(
            "message delivered", extra={"key": notification.key, "kind": notification.kind.value, "path": str(path)}
        )
        return DeliveryReceipt(key=notification.key, message_id=message_id, location=str(path), already_delivered=False)
