"""A new engagement takes every change made while engagements were running with a
single patch marker (and the markers of the changes asked at its start), and a
single upsert of TemporalChangeVersion, instead of one of each per change
(workflows/patches.py). Runs started before still ask change by
change: tests/histories/v1–v11 replay in tests/workflow/test_replay.py."""

from __future__ import annotations

import json
from datetime import date

from temporalio.api.enums.v1 import EventType

from engagement_client.purchases import record_purchase
from fasttrack.models import Phase, RemediationItemDone
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from tests.support.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope, running_worker
from tests.support.workflow_checks import eventually
from workflows.engagement import EngagementWorkflow
from workflows.patches import ASKED_AT_START, FOLDED_MARKER

CHANGE_VERSION = "TemporalChangeVersion"


def _markers(history) -> list[str]:
    return [json.loads(event.marker_recorded_event_attributes.details["patch-data"].payloads[0].data)["id"]
            for event in history.events if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]


def _change_version_upserts(history) -> int:
    return sum(1 for event in history.events
               if event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
               and CHANGE_VERSION in event.upsert_workflow_search_attributes_event_attributes.search_attributes
               .indexed_fields)


async def test_a_new_engagement_records_one_marker_for_every_change(dev_server_env, task_queue, tmp_path, mail_sink):
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        now = await dev_server_env.get_current_time()
        started = await record_purchase(client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        customer = SimulatedCustomer(started.handle)
        await customer.until_phase(Phase.INITIATE)
        # Through the paths the folded changes guard: the kickoff summary, messages sent
        # on their own with their watchdogs, register writes, the items flag.
        await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), date(2027, 3, 1))
        first = (await customer.state()).checklist[0].id
        await customer.act(RemediationItemDone(by="Sam", item_id=first))
        await started.handle.signal("record_contact", {"by": "Ana"})  # refused in Remediate: a signal path too

        async def signal_recorded() -> bool:
            return (await customer.state()).signals_refused == 1

        await eventually(signal_recorded, 20, "the signal was never recorded")
        history = await started.handle.fetch_history()

    assert _markers(history) == [FOLDED_MARKER, *ASKED_AT_START]  # all in the first workflow task
    assert _change_version_upserts(history) == 1 + len(ASKED_AT_START)  # one for the fold, one for each asked at start
    kinds = {event.event_type for event in history.events}
    assert {EventType.EVENT_TYPE_TIMER_STARTED, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED} <= kinds
