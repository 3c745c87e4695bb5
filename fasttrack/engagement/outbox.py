"""The outbox: messages wait here (a customer's for their business hours) until the workflow sends them."""

from __future__ import annotations

from datetime import datetime

from fasttrack.business_time import next_business_moment
from fasttrack.contract import Event
from fasttrack.engagement.budget import DELIVERY_FAILURES
from fasttrack.engagement.core import ORCHESTRATOR, EngagementParts, record
from fasttrack.models import (
    Audience,
    EngagementState,
    Notification,
    NotificationKind,
    Phrase,
    Reminder,
    ScheduledCall,
)


def notify(
    engagement: EngagementParts,
    kind: NotificationKind,
    purpose: int | str,
    audience: Audience,
    summary: str,
    now: datetime,
    facts: dict[str, str] | None = None,
    moments: dict[str, datetime] | None = None,
    lines: list[Phrase] | None = None,
    call: ScheduledCall | None = None,
    attachment_markdown: str | None = None,
    to: list[str] | None = None,
) -> None:
    """Queues a message, to ``to`` or to the customer's contact of the moment; a
    customer's waits for their business hours."""
    state, policy = engagement.state, engagement.policy
    recipients, person, send_at = [], None, now
    if audience is Audience.CUSTOMER:
        person = state.scope.project_manager if state.scope else state.purchase.customer_contact
        recipients = [person.email]
        if to:
            recipients, person = to, None
        send_at = next_business_moment(now, state.time_zone, state.purchase.country, policy.business_hours)
    state.scheduled_messages.append(
        Notification(
            engagement_id=state.engagement_id,
            kind=kind,
            key=f"{state.purchase.order_id}/{kind.value}/{purpose}",
            audience=audience,
            to=recipients,
            recipient_name=person.name if person else None,
            recipient_given_name=person.given_name if person else None,
            language=state.language if audience is Audience.CUSTOMER else policy.default_language,
            time_zone=state.time_zone,
            country=state.purchase.country,
            send_at=send_at,
            summary=summary,
            facts={
                "tenant_id": state.tenant_id,
                "organization": state.purchase.organization or state.tenant_id,
                **(facts or {}),
            },
            moments=moments or {},
            lines=lines or [],
            call=call,
            attachment_markdown=attachment_markdown,
        )
    )


def due_messages(engagement: EngagementParts, now: datetime) -> list[Notification]:
    """Takes the messages whose time has come, oldest first."""
    state = engagement.state
    due = [message for message in state.scheduled_messages if message.send_at <= now]
    state.scheduled_messages = [message for message in state.scheduled_messages if message.send_at > now]
    for call in (state.kickoff_call, state.next_checkpoint):
        if call is not None and any(message.call and message.call.uid == call.uid for message in due):
            call.invitation_sent = True  # on its way: a later change must be sent as an update
            call.invited = next(message.to for message in due if message.call and message.call.uid == call.uid)
    return due


def hand_over_messages(engagement: EngagementParts) -> list[Notification]:
    """Takes every message still waiting, due or not, once the engagement is
    closed: another workflow delivers them, so the outcome waits for none."""
    state = engagement.state
    assert state.phase.is_closed
    messages = sorted(state.scheduled_messages, key=lambda message: message.send_at)
    state.scheduled_messages = []
    return messages


def record_hand_over(engagement: EngagementParts, messages: list[Notification], delivery_id: str, now: datetime) -> None:
    engagement.state.message_delivery_id = delivery_id
    schedule = "; ".join(f"{message.summary} at {message.send_at:%Y-%m-%d %H:%M} UTC" for message in messages)
    record(
        engagement,
        now,
        Event.MESSAGES_HANDED_OVER,
        ORCHESTRATOR,
        f"{len(messages)} message(s) still to send are delivered by workflow {delivery_id}: {schedule}.",
    )


def carried_over(engagement: EngagementParts, on_their_way: list[Notification]) -> EngagementState:
    """The state for a fresh history: messages still on their way wait in it again
    (each ``on_their_way`` copy says when it may go)."""
    carried = engagement.state.model_copy(deep=True)
    carried.scheduled_messages = sorted(carried.scheduled_messages + list(on_their_way),
                                        key=lambda message: message.send_at)
    return carried


def record_too_large_to_carry(engagement: EngagementParts, size: int, now: datetime) -> None:
    """The state could not be carried into a fresh history: shown as a risk; the
    engagement goes on in this one."""
    if engagement.state.record_too_large_since is None:
        engagement.state.record_too_large_since = now
    record(engagement, now, Event.RECORD_TOO_LARGE, ORCHESTRATOR, f"The record is {size // 1024:,} KiB, too large "
           "to carry into a fresh history; the engagement goes on in this one. Tell the FastTrack team.")


def record_fits_again(engagement: EngagementParts, now: datetime) -> None:
    engagement.state.record_too_large_since = None
    record(engagement, now, Event.RECORD_FITS, ORCHESTRATOR, "The record fits a fresh history again.")


def record_messages_delayed(engagement: EngagementParts, since: datetime, now: datetime) -> None:
    """A message due since ``since`` is still not sent: shown as a risk until messages flow again."""
    engagement.state.messages_delayed_since = since
    record(engagement, now, Event.MESSAGES_DELAYED, ORCHESTRATOR, f"A message due since {since:%Y-%m-%d %H:%M} UTC "
           "is still not sent; the engagement goes on and sends it when the mail server answers.")


def record_messages_flowing(engagement: EngagementParts, now: datetime) -> None:
    engagement.state.messages_delayed_since = None
    record(engagement, now, Event.MESSAGES_FLOWING, ORCHESTRATOR, "Messages are being sent again.")


def record_delivery(engagement: EngagementParts, notification: Notification, now: datetime) -> None:
    engagement.state.messages_sent += 1
    recipients = ", ".join(notification.to) or notification.audience.value.replace("_", " ")
    record(engagement, now, Event.sent(notification.kind.value), ORCHESTRATOR,
           f"{notification.summary} → {recipients} ({notification.language})")


def record_delivery_failure(engagement: EngagementParts, notification: Notification, reason: str, now: datetime) -> None:
    state = engagement.state
    state.delivery_failures.append(f"{notification.key}: {reason}"[:500])
    del state.delivery_failures[:-DELIVERY_FAILURES]
    for call in (state.kickoff_call, state.next_checkpoint):
        if call is not None and notification.call is not None and call.uid == notification.call.uid:
            call.invitation_sent = False  # never reached the customer
    record(engagement, now, Event.NOTIFICATION_FAILED, ORCHESTRATOR, f"{notification.summary}: {reason}")


def withdraw_waiting(engagement: EngagementParts, *kinds: NotificationKind) -> None:
    """Drops messages of these kinds still waiting for business hours; an outreach
    dropped was never an attempt."""
    if engagement.keeps_messages_current:
        state = engagement.state
        if NotificationKind.OUTREACH in kinds:
            state.outreach_attempts -= state.outreach_waiting
        state.scheduled_messages = [m for m in state.scheduled_messages if m.kind not in kinds]


def withdraw_unsent_invitations(engagement: EngagementParts, call: ScheduledCall) -> bool:
    """Drops invitations to ``call`` still waiting for business hours; True if any was."""
    state = engagement.state
    waiting = [m for m in state.scheduled_messages if m.call is not None and m.call.uid == call.uid]
    state.scheduled_messages = [m for m in state.scheduled_messages if m not in waiting]
    return bool(waiting)


def message_reminders(engagement: EngagementParts) -> list[Reminder]:
    if not engagement.state.scheduled_messages:
        return []
    first = min(engagement.state.scheduled_messages, key=lambda message: message.send_at)
    return [Reminder(at=first.send_at, kind="message", summary=f"Send: {first.summary}")]
