"""An arrival issues no command: a workflow task that only takes in messages sent and
register writes done completes with no command at all.

Why it matters (workflows/engagement.py, "What runs where"): a query that reaches an
engagement while such a task waits is answered by a replay that runs the arrivals'
code; an update in the same task then runs after it. Replayed later, the update runs
first. Seen in `make bench` (cache of 4): the arrival cancelled its message's
watchdog timer before the update was accepted, the replay accepted the update first,
and the engagement was stuck for good ("Update machine does not handle this event:
TimerCanceled"). With no command from the arrivals, both orders issue the same
commands."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.worker import Replayer

from engagement_client.purchases import record_purchase
from fasttrack.models import Phase
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from tests.support.encryption import encrypted_converter
from tests.support.scenario import drive_to_completion, make_purchase, running_worker
from tests.support.workflow_checks import eventually
from workers.worker import workflow_runner
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

ARRIVING = {"send_notification", "record_progress"}
ARRIVAL_EVENTS = {EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED}
TASK_EVENTS = {EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED}
# What a workflow task's completion writes that no command asked for.
NOT_COMMANDS = {EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
                EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
                EventType.EVENT_TYPE_TIMER_FIRED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED}


def arrival_only_tasks(events: list[HistoryEvent]) -> list[tuple[list[str], list[str]]]:
    """For each workflow task that took in nothing but arrivals (and no update): the
    activities that arrived, and the commands its completion issued."""
    scheduled_types = {event.event_id: event.activity_task_scheduled_event_attributes.activity_type.name
                       for event in events if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED}
    tasks, since_last = [], []
    for index, event in enumerate(events):
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            since_last.append(event)
            continue
        taken_in = [e for e in since_last if e.event_type not in TASK_EVENTS]
        since_last = []
        arrived = [scheduled_types.get(e.activity_task_completed_event_attributes.scheduled_event_id, "")
                   for e in taken_in if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED]
        if not arrived or any(e.event_type not in ARRIVAL_EVENTS for e in taken_in) or set(arrived) - ARRIVING:
            continue
        issued = []
        for after in events[index + 1:]:
            if after.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                break
            if after.event_type not in NOT_COMMANDS:
                issued.append(EventType.Name(after.event_type))
        if "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED" in issued:
            continue  # an update came in that task: its commands are its own
        tasks.append((arrived, issued))
    return tasks


async def test_messages_and_register_writes_that_arrive_issue_no_command(
    dev_server_env, task_queue, tmp_path, mail_sink
):
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        now = await dev_server_env.get_current_time()
        started = await record_purchase(client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        customer = SimulatedCustomer(started.handle)
        await customer.until_phase(Phase.INITIATE)
        await eventually(_quiet(started.handle), 30, "the first messages never arrived")  # each in a task of its own
        await drive_to_completion(started.handle, now.date())
        await started.handle.result()
        history = await started.handle.fetch_history()

    tasks = arrival_only_tasks(list(history.events))
    assert any("send_notification" in arrived for arrived, _ in tasks)  # the case this is about happened
    assert [(arrived, issued) for arrived, issued in tasks if issued] == []
    await Replayer(workflows=[EngagementWorkflow, MessageDeliveryWorkflow], data_converter=encrypted_converter(),
                   workflow_runner=workflow_runner()).replay_workflow(history)


def _quiet(handle):
    """No activity and no workflow task pending: every arrival has been taken in."""
    async def check() -> bool:
        described = (await handle.describe()).raw_description
        return not described.pending_activities and not described.HasField("pending_workflow_task")
    return check
