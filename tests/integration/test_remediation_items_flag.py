"""What operators filter on moves only when it changes: completing a checklist item
upserts no search attribute, except the last one, which turns the flag
FastTrackRemediationItems from "open" to "done" (the count is in the current details
and `fasttrack status`). Engagements started before keep their count (tests/histories/v1–v10),
until a run of theirs continues as new on this code."""

from __future__ import annotations

from datetime import date

from temporalio.api.enums.v1 import EventType
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from engagement_client.listing import ListFilter, list_engagements
from engagement_client.purchases import record_purchase
from fasttrack.models import EngagementInput, Phase, RemediationItemDone
from fasttrack.policy import BenefitPolicy
from simulation.customer import SimulatedCustomer
from tests.support.scenario import ENVIRONMENT_WITH_GAPS, make_environment, make_purchase, make_scope, running_worker
from tests.support.workflow_checks import eventually
from workflows import search_attributes as sa
from workflows.engagement import EngagementWorkflow
from workflows.publishing import NEXT_STEP_KEYS


async def _visible(client, handle, clause: str) -> None:
    query = f"WorkflowId = '{handle.id}' AND {clause}"

    async def shown() -> bool:
        return (await client.count_workflows(query)).count == 1

    await eventually(shown, 20, f"visibility never showed {clause}")


async def _upserts_between(handle, first_update: str) -> list[set[str]]:
    """The search attributes each upsert set, from the update ``first_update`` on."""
    history = await handle.fetch_history()
    upserts, counting = [], False
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            counting = counting or event.workflow_execution_update_accepted_event_attributes.protocol_instance_id == first_update
        if counting and event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            upserts.append(set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields))
    return upserts


async def test_items_move_the_flag_twice_and_upsert_nothing_in_between(dev_server_env, task_queue, tmp_path, mail_sink):
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        now = await dev_server_env.get_current_time()
        started = await record_purchase(client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))
        handle = started.handle
        customer = SimulatedCustomer(handle)
        await customer.until_phase(Phase.INITIATE)
        gaps = dict(ENVIRONMENT_WITH_GAPS, gaps=[{"category": "dns", "description": f"Record {number}"}
                                                for number in range(3)])
        await customer.through_assess(make_scope(), make_environment(**gaps), date(2027, 3, 1))
        await _visible(client, handle, f"{sa.REMEDIATION_ITEMS.name} = 'open'")
        items = [item.id for item in (await customer.state()).checklist]
        assert len(items) >= 4  # the forest's level, and the three records

        for number, item in enumerate(items):
            await handle.execute_update(EngagementWorkflow.complete_remediation_item,
                                        RemediationItemDone(by=customer.admin, item_id=item), id=f"item-{number}")
        upserts = await _upserts_between(handle, "item-0")
        # Only the last item moved the flag, and who acts next (the customer's items done, FastTrack
        # verifies). Between, an item can move only the next deadline: the stall reminder, which each
        # item done pushes back, when it is the nearest (and the items straddle a second).
        *between, last = upserts
        assert all(upsert <= {sa.NEXT_DEADLINE.name} for upsert in between), upserts
        assert {sa.REMEDIATION_ITEMS.name, sa.ACTS_NEXT.name, sa.NEXT_STEP.name} <= last, upserts
        assert last <= {sa.REMEDIATION_ITEMS.name, *(key.name for key in NEXT_STEP_KEYS)}, upserts
        await _visible(client, handle, f"{sa.REMEDIATION_ITEMS.name} = 'done'")

        description = await handle.describe()
        assert description.typed_search_attributes.get(sa.OPEN_REMEDIATION_ITEMS) is None
        [row] = [row for row in await list_engagements(client, ListFilter(phase=Phase.REMEDIATE))
                 if row.engagement_id == handle.id]
        assert (row.remediation_items, row.open_remediation_items) == ("done", None)
        await handle.terminate("test finished")


async def test_a_count_carried_from_an_older_run_is_unset_not_left_stale(dev_server_env, task_queue, tmp_path,
                                                                         mail_sink):
    """A run that continued as new from code before the flag starts with the count among
    its search attributes (continue-as-new keeps them); it is removed at the first publish."""
    client = dev_server_env.client
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        now = await dev_server_env.get_current_time()
        purchase = make_purchase(now)
        handle = await client.start_workflow(
            EngagementWorkflow.run, EngagementInput(purchase=purchase, policy=BenefitPolicy(business_hours=None)),
            id=f"fasttrack-intune-{purchase.tenant_id}", task_queue=task_queue,
            start_signal="purchase_received", start_signal_args=[purchase],
            search_attributes=TypedSearchAttributes([SearchAttributePair(sa.TENANT_ID, purchase.tenant_id),
                                                      SearchAttributePair(sa.OPEN_REMEDIATION_ITEMS, 5)]),
        )
        await SimulatedCustomer(handle).until_phase(Phase.INITIATE)
        async def count_gone() -> bool:
            return (await handle.describe()).typed_search_attributes.get(sa.OPEN_REMEDIATION_ITEMS) is None

        await eventually(count_gone, 20, "the inherited count was never unset")
        assert (await handle.describe()).typed_search_attributes.get(sa.OPEN_REMEDIATION_ITEMS) is None
        [row] = [row for row in await list_engagements(client, ListFilter()) if row.engagement_id == handle.id]
        assert row.open_remediation_items is None
        await handle.terminate("test finished")
