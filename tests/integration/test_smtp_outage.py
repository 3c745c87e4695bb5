"""A mail server down for weeks holds up nothing: the engagement keeps its clock,
the manager's escalation is attempted the day the SLA is missed, and when the
server returns each message arrives once. On the real dev server."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import EventType

from devstack.ports import free_port
from devstack.smtp_sink import MailSink
from engagement_client.listing import ListFilter, list_engagements
from engagement_client.purchases import record_purchase
from fasttrack.policy import BenefitPolicy
from fasttrack.risks import Risk
from tests.support.scenario import make_purchase, running_worker, state_of
from tests.support.workflow_checks import eventually
from workflows import search_attributes as sa

DAY = 0.2  # seconds: the 30-day contact window passes in 6 s


async def test_an_smtp_outage_holds_up_no_clock_and_each_message_arrives_once_after_it(
    dev_server_env, task_queue, tmp_path
):
    client = dev_server_env.client
    down = MailSink(tmp_path / "mail", port=free_port())  # configured, never started: the server is down
    # A message not sent two days after it fell due is shown as a risk.
    policy = BenefitPolicy.compressed(timedelta(seconds=DAY), messages_delayed_after=timedelta(seconds=2 * DAY))
    async with running_worker(client, task_queue, down, tmp_path / "ledger"):
        started = await record_purchase(client, make_purchase(datetime.now(timezone.utc)), task_queue, policy)
        handle = started.handle

        async def breached():
            state = await state_of(handle)
            return state if state.contact_sla_breached else None

        state = await eventually(breached, 60, "the contact SLA was never flagged")
        purchased_at = state.purchase.purchased_at
        (breach,) = [event for event in state.timeline if event.what == "contact_sla_breached"]
        # On day 30, a busy machine adding a few seconds at most; waiting for the mail server
        # would take hours (with messages sent in turn, the SLA was not flagged at all).
        assert 30 <= (breach.at - purchased_at).total_seconds() / DAY <= 45
        history = await handle.fetch_history()
        scheduled = [event for event in history.events
                     if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
        inputs = await client.data_converter.payload_codec.decode(
            [event.activity_task_scheduled_event_attributes.input.payloads[0] for event in scheduled])
        escalation_scheduled = [event.event_time.ToDatetime(tzinfo=timezone.utc)
                                for event, sent in zip(scheduled, inputs) if b"contact_escalation" in sent.data]
        assert len(escalation_scheduled) == 1
        # Attempted as the SLA was flagged (the same workflow task, however slow), during the outage.
        assert timedelta(0) <= escalation_scheduled[0] - breach.at < timedelta(seconds=5)
        assert state.outreach_attempts >= 5  # the cadence went on while the first outreach could not be sent
        assert not list((tmp_path / "mail").glob("*.eml"))
        assert state.messages_delayed_since is not None  # a visible risk: in status, the UI, and --at-risk

        async def listed_at_risk():
            rows = await list_engagements(client, ListFilter(at_risk=True))
            return next((row for row in rows if row.engagement_id == handle.id), None)

        row = await eventually(listed_at_risk, 30, "not listed at risk")
        assert "messages delayed" in row.risks
        # Counted as a run older than the risks list too, its flags find it again: listed once.
        older_too = ListFilter(at_risk=True, risks_list_since=datetime.now(timezone.utc) + timedelta(days=1))
        assert [row.engagement_id for row in await list_engagements(client, older_too)].count(handle.id) == 1

        await asyncio.sleep(max(0.0, 80 * DAY - (datetime.now(timezone.utc) - purchased_at).total_seconds()))
        back = MailSink(tmp_path / "mail", port=down.port)  # the mail server returns on day 80
        back.start()
        try:
            async def all_arrived():
                attempts = (await state_of(handle)).outreach_attempts
                kinds = Counter(message["X-FastTrack-Kind"] for message in back.messages())
                return kinds if kinds["outreach"] >= attempts and kinds["contact_escalation"] == 1 else None

            await eventually(all_arrived, 120, "not every message arrived after the outage")
            ids = [message["Message-ID"] for message in back.messages()]
            assert len(ids) == len(set(ids))  # each once

            async def flowing():
                state = await state_of(handle)
                return state if state.messages_delayed_since is None else None

            state = await eventually(flowing, 60, "the risk stayed up once messages were sent")
            assert {"messages_delayed", "messages_flowing"} <= {event.what for event in state.timeline}

            async def risk_cleared():
                # Unset altogether once the engagement has expired (a 0.2 s day on a slow machine).
                listed = (await handle.describe()).typed_search_attributes.get(sa.RISKS) or []
                return Risk.MESSAGES_DELAYED.value not in listed

            await eventually(risk_cleared, 30, "the risks list kept messages-delayed once messages were sent")
        finally:
            await handle.terminate("test finished")
            back.stop()
