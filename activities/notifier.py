"""The notifier: one activity for every message an engagement sends, by SMTP.

A message's Message-ID comes from the engagement and the purpose of the
message (its key), never from the attempt. Delivery is deduplicated on it: once
the SMTP server has accepted a message, it is written to the delivery ledger (a
table of the benefit register, which every replica shares) and the attempt
heartbeats it, so a retried attempt — on this host or another — sends nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Literal, Protocol

import aiosmtplib
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy.exc import SQLAlchemyError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from fasttrack.contract import ErrorType
from fasttrack.messages import RenderedMessage, TemplateMissing, render_message
from fasttrack.models import Audience, DeliveryReceipt, Notification, NotificationKind
from register import Register

PRODUCT_ID = "-//FastTrack onboarding orchestrator//EN"


def message_id_for(notification: Notification) -> str:
    digest = hashlib.sha256(f"{notification.engagement_id}/{notification.key}".encode()).hexdigest()[:32]
    return f"<{digest}@fasttrack-orchestrator>"


class MailSettings(Protocol):
    """What the notifier needs to know; the worker's settings provide it."""

    smtp_host: str
    smtp_port: int
    smtp_security: Literal["none", "starttls", "tls"]
    smtp_username: str | None
    smtp_password: str | None
    sender_email: str
    manager_email: str


class DeliveryLedger:
    """Message-IDs the SMTP server has accepted, kept in the benefit register's
    database, which every worker replica shares."""

    def __init__(self, register: Register) -> None:
        self.register = register

    async def has(self, message_id: str) -> bool:
        return await asyncio.to_thread(self.register.was_delivered, message_id)

    async def record(self, message_id: str) -> None:
        await asyncio.to_thread(self.register.record_delivered, message_id, datetime.now(timezone.utc))


def calendar_invitation(notification: Notification, rendered: RenderedMessage, organizer: str, stamp: datetime) -> bytes:
    call = notification.call
    assert call is not None
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if call.cancelled else "REQUEST")
    event = Event()
    event.add("uid", call.uid)
    event.add("sequence", call.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", call.start)
    event.add("dtend", call.end)
    event.add("summary", rendered.event_title or rendered.subject)
    event.add("status", "CANCELLED" if call.cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    for address in notification.to:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()


class PageLinks(Protocol):
    """Makes the customer's personal link (the worker passes engagement_client's)."""

    def link(self, engagement_id: str, email: str, at: datetime) -> str: ...


class Notifier:
    def __init__(self, mail: MailSettings, ledger: DeliveryLedger, links: PageLinks | None = None) -> None:
        self.mail = mail
        self.ledger = ledger
        self.links = links

    def page_link(self, notification: Notification, recipients: list[str], sent_at: datetime) -> str | None:
        """Every mail to the customer ends with their page's link, made for its first recipient
        (the engagement's contact), but the one that closes the engagement (the page then only
        shows the outcome); the token is never logged."""
        if (self.links is None or notification.audience is not Audience.CUSTOMER or not recipients
                or notification.kind is NotificationKind.ENGAGEMENT_CLOSED):
            return None
        return self.links.link(notification.engagement_id, recipients[0], sent_at)

    def compose(self, notification: Notification, recipients: list[str], sent_at: datetime) -> EmailMessage:
        try:
            rendered = render_message(notification, self.page_link(notification, recipients, sent_at))
        except TemplateMissing as missing:
            raise ApplicationError(str(missing), type=ErrorType.TEMPLATE_MISSING, non_retryable=True) from None
        message = EmailMessage()
        message["Message-ID"] = message_id_for(notification)
        message["From"] = formataddr(("FastTrack Center", self.mail.sender_email))
        message["To"] = ", ".join(recipients)
        if notification.audience is Audience.CUSTOMER:
            message["Reply-To"] = self.mail.manager_email
        message["Subject"] = rendered.subject
        message["Date"] = format_datetime(sent_at)
        message["X-FastTrack-Engagement"] = notification.engagement_id
        message["X-FastTrack-Kind"] = notification.kind.value
        message["X-FastTrack-Key"] = notification.key
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        if notification.call is not None:
            invitation = calendar_invitation(notification, rendered, self.mail.sender_email, sent_at)
            method = "CANCEL" if notification.call.cancelled else "REQUEST"
            message.add_attachment(
                invitation, maintype="text", subtype="calendar", filename="invitation.ics",
                params={"method": method, "charset": "utf-8"},
            )
        if notification.attachment_markdown:
            message.add_attachment(
                notification.attachment_markdown.encode(), maintype="text", subtype="markdown",
                filename="engagement-report.md", params={"charset": "utf-8"},
            )
        # Set last: making the message multipart moves Content-* headers into its first part.
        message["Content-Language"] = notification.language
        return message

    async def transmit(self, message: EmailMessage, recipients: list[str]) -> None:
        security = self.mail.smtp_security
        try:
            await aiosmtplib.send(
                message,
                recipients=recipients,
                hostname=self.mail.smtp_host,
                port=self.mail.smtp_port,
                username=self.mail.smtp_username,
                password=self.mail.smtp_password,
                use_tls=security == "tls",
                start_tls=True if security == "starttls" else False,
                tls_context=ssl.create_default_context() if security != "none" else None,
                timeout=10,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            raise ApplicationError(
                # No addresses here: the message reaches logs; the notification names its recipients.
                f"The mail server refused {len(refused.recipients)} of {len(recipients)} recipient(s) "
                f"(SMTP {', '.join(sorted({str(one.code) for one in refused.recipients}))})",
                type=ErrorType.INVALID_RECIPIENT, non_retryable=True,
            ) from None

    async def delivered(self, notification: Notification, message_id: str) -> None:
        """What follows the server's acceptance: remember it, on the server and here.
        The server has the message: if the local record fails, the attempt still
        completes as delivered (an operator is alerted), so that it is never sent again."""
        activity.heartbeat({"delivered": message_id})
        try:
            await self.ledger.record(message_id)
        except (OSError, SQLAlchemyError) as fault:
            activity.logger.error(
                "delivery ledger not written; the message was delivered and is not sent again",
                extra={"key": notification.key, "message_id": message_id, "failure": type(fault).__name__},
            )

    @activity.defn(name="send_notification")
    async def send_notification(self, notification: Notification) -> DeliveryReceipt:
        recipients = notification.to
        if notification.audience is Audience.FASTTRACK_MANAGER:
            recipients = [self.mail.manager_email]
        if not recipients:
            raise ApplicationError(
                f"Notification {notification.key} has no recipient", type=ErrorType.NO_RECIPIENT, non_retryable=True
            )
        message_id = message_id_for(notification)
        earlier = activity.info().heartbeat_details
        if await self.ledger.has(message_id) or any(
            isinstance(detail, dict) and detail.get("delivered") == message_id for detail in earlier
        ):
            activity.logger.info("message already delivered", extra={"key": notification.key})
            return DeliveryReceipt(
                key=notification.key, message_id=message_id, recipients=recipients, already_delivered=True
            )
        # The engagement's clock, not the worker's: a retried or late attempt keeps the business-hours time.
        sent_at = activity.info().current_attempt_scheduled_time or datetime.now(timezone.utc)
        try:
            message = self.compose(notification, recipients, sent_at)
        except ApplicationError:
            raise
        except Exception as problem:  # retrying cannot make a message that failed to build build
            raise ApplicationError(
                f"The message could not be built: {type(problem).__name__}: {problem}"[:500],
                type=ErrorType.COMPOSITION_FAILED, non_retryable=True,
            ) from None
        await self.transmit(message, recipients)
        await self.delivered(notification, message_id)
        activity.logger.info(
            "message delivered",
            extra={"key": notification.key, "kind": notification.kind.value, "language": notification.language},
        )
        return DeliveryReceipt(key=notification.key, message_id=message_id, recipients=recipients, already_delivered=False)
