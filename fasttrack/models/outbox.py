"""Outbound: messages, their delivery, and the messages handed over at closing.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from fasttrack.base import StrictModel
from fasttrack.models.actions import CallKind
from fasttrack.models.common import Phase, Phrase


class Audience(StrEnum):
    CUSTOMER = "customer"
    FASTTRACK_MANAGER = "fasttrack_manager"


class NotificationKind(StrEnum):
    OUTREACH = "outreach"
    CONTACT_ESCALATION = "contact_escalation"
    KICKOFF_INVITATION = "kickoff_invitation"
    KICKOFF_SUMMARY = "kickoff_summary"
    REMEDIATION_CHECKLIST = "remediation_checklist"
    CHECKPOINT_INVITATION = "checkpoint_invitation"
    CALL_CANCELLED = "call_cancelled"
    REMEDIATION_STALLED = "remediation_stalled"
    STALL_ESCALATION = "stall_escalation"
    VERIFICATION_REJECTED = "verification_rejected"
    DEADLINE_ESCALATION = "deadline_escalation"
    ENGAGEMENT_CLOSED = "engagement_closed"


class ScheduledCall(StrictModel):
    """A call proposed to the customer; its invitation keeps one UID, and each
    change is sent again with the next SEQUENCE."""

    kind: CallKind
    number: int = 1
    uid: str
    start: datetime
    end: datetime
    sequence: int = 0
    cancelled: bool = False
    invitation_sent: bool = False
    invited: list[str] = Field(
        default_factory=list, description="Who received the invitation: a cancellation goes to them."
    )


class Notification(StrictModel):
    engagement_id: str
    kind: NotificationKind
    key: str = Field(description="Stable per engagement and purpose: the idempotency key of the message.")
    audience: Audience
    to: list[str] = Field(default_factory=list)
    recipient_name: str | None = None
    recipient_given_name: str | None = Field(None, exclude_if=lambda value: value is None)
    language: str
    time_zone: str
    country: str
    send_at: datetime = Field(description="Customer-facing messages wait for the customer's business hours.")
    summary: str
    facts: dict[str, str] = Field(default_factory=dict)
    moments: dict[str, datetime] = Field(
        default_factory=dict, description="Dates shown in the customer's locale and time zone."
    )
    lines: list[Phrase] = Field(default_factory=list)
    call: ScheduledCall | None = None
    attachment_markdown: str | None = None


class DeliveryReceipt(StrictModel):
    key: str
    message_id: str
    recipients: list[str]
    already_delivered: bool


class MessageDelivery(StrictModel):
    """The messages an engagement still had to send when it closed, handed to a
    workflow of their own so that the engagement's run completes at once."""

    engagement_id: str
    closed_as: Phase
    messages: list[Notification]


class MessageOutcome(StrictModel):
    key: str
    kind: NotificationKind
    summary: str
    audience: Audience
    send_at: datetime
    sent_at: datetime | None = None
    failure: str | None = None

    def progress(self) -> str:
        if self.sent_at is not None:
            return f"sent {self.sent_at:%Y-%m-%d %H:%M} UTC"
        if self.failure is not None:
            return f"not delivered: {self.failure}"
        return f"waiting for {self.send_at:%Y-%m-%d %H:%M} UTC"


class MessageDeliveryResult(StrictModel):
    engagement_id: str
    messages: list[MessageOutcome]
