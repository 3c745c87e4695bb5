"""Customer communications end to end: a real local SMTP server, the customer's
language, business hours, calendar invitations, and each message delivered once."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import holidays
import pytest
from icalendar import Calendar
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import FailureError

from activities.notifier import Notifier
from engagement_client.purchases import BenefitAlreadyUsed, record_purchase
from fasttrack.business_time import BusinessHours, next_business_moment
from fasttrack.models import (
    CallKind,
    CallRescheduled,
    ContactMade,
    EnvironmentSubmitted,
    KickoffHeld,
    NotificationKind,
    Phase,
    PlanAgreed,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy
from fasttrack.wording.catalogs import fill, text_of
from fasttrack.wording.greeting import greeting as greets
from tests.support.scenario import (
    CUSTOMER,
    ENVIRONMENT_WITH_GAPS,
    EVERY_DAY_NINE_TO_FIVE,
    FASTTRACK,
    LOCAL_HOUR,
    approve_verification,
    closing_messages_sent,
    complete_enable,
    drive_through_assess,
    finished,
    mail_for,
    make_environment,
    make_purchase,
    make_scope,
    remediate_all,
    running_worker,
    state_of,
    wait_for_phase,
    zone_where_it_is,
)
from tests.support.workflow_checks import stop_if_running
from workflows.engagement import EngagementWorkflow

PARIS = ZoneInfo("Europe/Paris")
HOURS = BusinessHours()


class NotifierLosingEveryFirstAttempt(Notifier):
    """Fails each message's first attempt right after the SMTP server accepted it,
    as a worker that dies at that moment would."""

    async def delivered(self, notification, message_id):
        await super().delivered(notification, message_id)
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost after the mail server accepted the message")


async def let_mail_go(env) -> None:
    """Lets a few minutes of engagement time pass: long enough for the notifier's
    retry after the injected failure, short enough to stay in business hours."""
    await env.sleep(timedelta(minutes=2))


async def skip_to(env, local_moment: datetime) -> None:
    now = await env.get_current_time()
    assert local_moment > now
    await env.sleep(local_moment - now)


async def next_business_morning(env) -> datetime:
    """10:00 in Paris on the next business day (at least a day ahead)."""
    now = await env.get_current_time()
    day = next_business_moment(now + timedelta(days=1), "Europe/Paris", "FR", HOURS).astimezone(PARIS).date()
    return datetime.combine(day, time(10, 0), PARIS)


def sent_in_business_hours(message: EmailMessage) -> bool:
    local = parsedate_to_datetime(message["Date"]).astimezone(PARIS)
    return (
        local.weekday() < 5
        and time(9, 0) <= local.time() < time(17, 0)
        and local.date() not in holidays.country_holidays("FR", years=local.year)
    )


def invitation(message: EmailMessage):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            calendar = Calendar.from_ical(cast(bytes, part.get_payload(decode=True)))
            return calendar, next(iter(calendar.walk("VEVENT")))
    raise AssertionError(f"{message['Subject']} has no invitation")


async def test_one_engagement_s_mail_in_language_in_business_hours_sent_once(
    time_skipping_env, task_queue, tmp_path, mail_sink
):
    env = time_skipping_env
    await skip_to(env, await next_business_morning(env))
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path, NotifierLosingEveryFirstAttempt):
        started = await record_purchase(env.client, make_purchase(now, preferred_language="fr"), task_queue)
        handle = started.handle
        try:
            await wait_for_phase(handle, Phase.INITIATE)
            await handle.execute_update(EngagementWorkflow.record_contact, ContactMade(by=FASTTRACK))
            await let_mail_go(env)
            proposed = (await state_of(handle)).kickoff_call
            assert proposed is not None
            # Kickoff proposed two days on, in business hours; moved once, and the move is checked.
            assert proposed.start >= now + timedelta(days=2)
            sunday = datetime.combine(proposed.start.astimezone(PARIS).date(), time(10, 0), PARIS)
            sunday += timedelta(days=6 - sunday.weekday())
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(
                    EngagementWorkflow.reschedule_call, CallRescheduled(by=FASTTRACK, call=CallKind.KICKOFF, start=sunday)
                )
            assert "outside the customer's business hours" in cast(FailureError, refused.value.cause).message
            moved = next_business_moment(proposed.start + timedelta(days=1), "Europe/Paris", "FR", HOURS)
            await handle.execute_update(
                EngagementWorkflow.reschedule_call, CallRescheduled(by=FASTTRACK, call=CallKind.KICKOFF, start=moved)
            )
            await let_mail_go(env)
            # From the kickoff on, the project manager is addressed, in the language agreed.
            await handle.execute_update(
                EngagementWorkflow.hold_kickoff, KickoffHeld(by=FASTTRACK, scope=make_scope(language="it"))
            )
            await handle.execute_update(
                EngagementWorkflow.submit_environment,
                EnvironmentSubmitted(by=CUSTOMER, environment=make_environment(**ENVIRONMENT_WITH_GAPS)),
            )
            await let_mail_go(env)
            await handle.execute_update(
                EngagementWorkflow.agree_plan, PlanAgreed(by=FASTTRACK, target_date=now.date() + timedelta(days=60))
            )
            await let_mail_go(env)
            await remediate_all(handle)
            await approve_verification(handle)
            await complete_enable(handle)
            result = await finished(env, handle)
        finally:
            await stop_if_running(handle)
    assert result.outcome.status is Phase.COMPLETED

    messages = mail_for(mail_sink, handle.id)
    admin, pm = "sam@contoso.example", "paula@contoso.example"
    # Messages due at the same moment go out each on its own, so in no fixed order among themselves.
    assert sorted((m["X-FastTrack-Kind"], m["To"], m["Content-Language"]) for m in messages) == sorted([
        ("outreach", admin, "fr"),
        ("kickoff_invitation", admin, "fr"),
        ("kickoff_invitation", admin, "fr"),
        ("call_cancelled", admin, "it"),  # the kickoff was held before the proposed call: to whoever had it
        ("kickoff_summary", pm, "it"),
        ("remediation_checklist", pm, "it"),
        ("checkpoint_invitation", pm, "it"),
        ("call_cancelled", pm, "it"),
        ("engagement_closed", pm, "it"),
    ])
    # Each message once, even though every first attempt failed after the server took it.
    assert len({m["Message-ID"] for m in messages}) == len(messages) == 9
    history = await handle.fetch_history()
    after_closing = await env.client.get_workflow_handle(result.message_delivery_id).fetch_history()
    second_attempts = [
        event for event in [*history.events, *after_closing.events]
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and event.activity_task_started_event_attributes.attempt == 2
    ]
    assert len(second_attempts) == len(messages)  # every send was retried once; eligibility never
    assert all(sent_in_business_hours(m) for m in messages)

    def of_kind(kind: str) -> list:
        return [m for m in messages if m["X-FastTrack-Kind"] == kind]

    # Invitations: one event per call, updated in place (same UID, next SEQUENCE).
    first_kickoff, moved_kickoff = sorted((invitation(m) for m in of_kind("kickoff_invitation")),
                                          key=lambda found: found[1]["SEQUENCE"])
    assert first_kickoff[1]["UID"] == moved_kickoff[1]["UID"]
    assert (first_kickoff[1]["SEQUENCE"], moved_kickoff[1]["SEQUENCE"]) == (0, 1)
    assert moved_kickoff[1].decoded("DTSTART") == moved
    assert str(moved_kickoff[0]["METHOD"]) == "REQUEST"
    cancellations = {str(found[1]["UID"]): found for found in (invitation(m) for m in of_kind("call_cancelled"))}
    kickoff_cancelled = cancellations[str(moved_kickoff[1]["UID"])]
    assert str(kickoff_cancelled[0]["METHOD"]) == "CANCEL"
    (checkpoint,) = (invitation(m) for m in of_kind("checkpoint_invitation"))
    cancelled = cancellations[str(checkpoint[1]["UID"])]
    assert str(cancelled[0]["METHOD"]) == "CANCEL" and cancelled[1]["SEQUENCE"] == 1
    start = checkpoint[1].decoded("DTSTART")
    assert next_business_moment(start, "Europe/Paris", "FR", HOURS, timedelta(minutes=30)) == start

    # The words are the customer's: French first, Italian from the kickoff.
    def greeting(language: str, name: str) -> str:  # no given name in these scenarios
        return greets(language, name, None)

    assert of_kind("outreach")[0].get_body(("plain",)).get_content().startswith(greeting("fr", "Sam Admin"))
    (checklist,) = of_kind("remediation_checklist")
    assert checklist.get_body(("plain",)).get_content().startswith(greeting("it", "Paula PM"))
    assert checklist["Subject"] == fill(text_of("it", "remediation_checklist.subject", 2), {"item_count": "2"})
    (closing,) = of_kind("engagement_closed")
    assert any(part.get_filename() == "engagement-report.md" for part in closing.iter_attachments())


async def test_a_reminder_due_on_saturday_night_goes_out_on_monday_morning(
    time_skipping_env, task_queue, tmp_path, mail_sink
):
    env = time_skipping_env
    now = await env.get_current_time()
    saturday = (now + timedelta(days=7)).astimezone(PARIS).date()
    saturday += timedelta(days=(5 - saturday.weekday()) % 7)
    await skip_to(env, datetime.combine(saturday, time(3, 0), PARIS))
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        purchased_at = await env.get_current_time()
        started = await record_purchase(env.client, make_purchase(purchased_at), task_queue)
        handle = started.handle
        try:
            await wait_for_phase(handle, Phase.INITIATE)
            state = await state_of(handle)
            waiting = state.scheduled_messages
            assert [message.kind.value for message in waiting] == ["outreach"]
            expected = next_business_moment(purchased_at, "Europe/Paris", "FR", HOURS)
            assert waiting[0].send_at == expected
            local = expected.astimezone(PARIS)
            assert local.time() == time(9, 0) and local.weekday() < 5  # Monday, or the next working day
            public_holidays = holidays.country_holidays("FR", years=[saturday.year, saturday.year + 1])
            skipped = [saturday + timedelta(days=k) for k in range(1, (local.date() - saturday).days)]
            assert all(day.weekday() >= 5 or day in public_holidays for day in skipped)
            assert not mail_for(mail_sink, handle.id)
            await env.sleep(expected - purchased_at + timedelta(minutes=5))
            for _ in range(100):
                if mail_for(mail_sink, handle.id):
                    break
                await asyncio.sleep(0.05)
            (outreach,) = mail_for(mail_sink, handle.id)
            assert parsedate_to_datetime(outreach["Date"]).astimezone(PARIS).replace(second=0, microsecond=0) == (
                expected.astimezone(PARIS).replace(second=0, microsecond=0)
            )
        finally:
            await stop_if_running(handle)


async def test_a_refused_recipient_is_not_retried_and_shows_on_the_engagement(
    time_skipping_env, task_queue, tmp_path, mail_sink
):
    env = time_skipping_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(
            now, customer_contact={"name": "Nobody", "email": "nobody@contoso.example"}
        )
        started = await record_purchase(env.client, purchase, task_queue, BenefitPolicy(business_hours=None))
        handle = started.handle
        try:
            await wait_for_phase(handle, Phase.INITIATE)
            for _ in range(100):
                state = await state_of(handle)
                if state.delivery_failures:
                    break
                await asyncio.sleep(0.05)
            assert len(state.delivery_failures) == 1
            assert "The mail server refused 1 of 1 recipient(s) (SMTP 550)" in state.delivery_failures[0]
            assert [event.what for event in state.timeline].count("notification_failed") == 1
            history = await handle.fetch_history()
            attempts = [event.activity_task_started_event_attributes.attempt for event in history.events
                        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]
            assert max(attempts) == 1  # not retried: retrying cannot fix an address
            # The engagement goes on: FastTrack reaches the customer another way.
            await handle.execute_update(EngagementWorkflow.record_contact, ContactMade(by=FASTTRACK))
            assert (await state_of(handle)).contact_made_at is not None
        finally:
            await stop_if_running(handle)


def test_a_missing_template_is_not_retried():
    from temporalio.exceptions import ApplicationError

    from activities.notifier import DeliveryLedger
    from fasttrack.models import Audience, Notification, NotificationKind
    from register import Register
    from register.store import default_url
    from workers.config import WorkerSettings

    notifier = Notifier(WorkerSettings(), DeliveryLedger(Register(default_url(Path(tempfile.mkdtemp())))))
    message = Notification(
        engagement_id="e", kind=NotificationKind.OUTREACH, key="k", audience=Audience.CUSTOMER, to=["a@b.example"],
        language="ko", time_zone="Asia/Seoul", country="KR", send_at=datetime.now(PARIS), summary="s",
    )
    with pytest.raises(ApplicationError) as missing:
        notifier.compose(message, ["a@b.example"], datetime.now(PARIS))
    assert missing.value.non_retryable and missing.value.type == "TemplateMissing"


async def test_closing_outside_business_hours_completes_at_once_and_mails_at_the_next_slot_once(
    time_skipping_env, task_queue, tmp_path, mail_sink
):
    env = time_skipping_env
    now = await env.get_current_time()
    zone = zone_where_it_is(LOCAL_HOUR["outside business hours"], now)
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        purchase = make_purchase(now, time_zone=zone)
        started = await record_purchase(env.client, purchase, task_queue, EVERY_DAY_NINE_TO_FIVE)
        handle = started.handle
        with env.auto_time_skipping_disabled():  # the clock moves only as fast as the wall clock here
            # Messages wait for the customer's morning: the kickoff summary, the checklist, an invitation.
            await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), now.date())
            waiting = (await state_of(handle)).scheduled_messages
            assert len(waiting) >= 3 and not mail_for(mail_sink, handle.id)
            await handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="Postponed"))
            result = await asyncio.wait_for(handle.result(), timeout=15)
        closed_at = result.outcome.at
        assert result.outcome.status is Phase.WITHDRAWN
        assert closed_at - now < timedelta(minutes=1)
        slot = next_business_moment(closed_at, zone, purchase.country, EVERY_DAY_NINE_TO_FIVE.business_hours)
        assert slot.astimezone(ZoneInfo(zone)).time() == time(9, 0) and slot - closed_at > timedelta(hours=6)
        assert not mail_for(mail_sink, handle.id, "engagement_closed")
        with pytest.raises(BenefitAlreadyUsed, match="closed as withdrawn"):
            await record_purchase(env.client, make_purchase(now, tenant_id=purchase.tenant_id), task_queue)

        delivered = await closing_messages_sent(env, result)  # skips time to the slot
    assert delivered is not None
    kinds = [message.kind for message in delivered.messages]
    assert kinds.count(NotificationKind.ENGAGEMENT_CLOSED) == 1
    assert NotificationKind.CHECKPOINT_INVITATION not in kinds  # the call it announced is off
    assert all(message.sent_at is not None and timedelta(0) <= message.sent_at - slot < timedelta(minutes=1)
               for message in delivered.messages)
    mails = mail_for(mail_sink, handle.id)
    assert sorted(mail["X-FastTrack-Kind"] for mail in mails) == sorted(kind.value for kind in kinds)  # each once
    assert {
        parsedate_to_datetime(mail["Date"]).astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0).time()
        for mail in mails
    } == {time(9, 0)}


class NotifierWithASlowServer(Notifier):
    """A mail server that takes longer to answer than the engagement waits at closing."""

    async def transmit(self, message, recipients):
        await asyncio.sleep(10.5)
        await super().transmit(message, recipients)


async def test_a_message_still_on_its_way_at_closing_is_handed_over_and_the_outcome_stands(
    time_skipping_env, task_queue, tmp_path, mail_sink
):
    env = time_skipping_env
    now = await env.get_current_time()
    async with running_worker(env.client, task_queue, mail_sink, tmp_path, NotifierWithASlowServer):
        started = await record_purchase(env.client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        handle = started.handle
        await wait_for_phase(handle, Phase.INITIATE)  # the first outreach is now on its way, slowly
        await handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="Postponed"))
        result = await handle.result()  # completes, whatever the mail server does
        assert result.outcome.status is Phase.WITHDRAWN
        delivered = await closing_messages_sent(env, result)
    assert delivered is not None
    kinds = sorted(message.kind.value for message in delivered.messages)
    assert kinds == ["engagement_closed", "outreach"] and all(m.sent_at for m in delivered.messages)
    outreach = [m for m in mail_for(mail_sink, handle.id) if m["X-FastTrack-Kind"] == "outreach"]
    assert len({m["Message-ID"] for m in outreach}) == 1  # one message, even if both attempts reached the server
