"""Client helpers shared by the worker, operators' tools and tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import WorkflowAlreadyStartedError

from fasttrack.benefit_use import ExistingEngagement, PurchaseDecision, decide_purchase
from fasttrack.engagement import engagement_id_for
from fasttrack.errors import BenefitAlreadyUsed, FastTrackError
from fasttrack.models import EDGE, EngagementInput, Phase, Purchase
from fasttrack.policy import BenefitPolicy
from workers.config import ClientSettings
from workflows import search_attributes as sa
from workflows.engagement import EngagementWorkflow


async def connect(settings: ClientSettings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        tls=settings.temporal_tls or bool(settings.temporal_api_key),
        api_key=settings.temporal_api_key,
    )


class EngagementStillClosing(FastTrackError):
    """The tenant's engagement has closed, but its run has not completed yet."""


@dataclass
class PurchaseOutcome:
    handle: WorkflowHandle
    created: bool
    message: str


def _start_summary(purchase: Purchase) -> str:
    customer = f"{purchase.organization} — tenant" if purchase.organization else "Tenant"
    return (
        f"{customer} {purchase.tenant_id}: {purchase.licenses} × {purchase.plan.value} licenses "
        f"(order {purchase.order_id})"
    )


async def record_purchase(
    client: Client, purchase: Purchase, task_queue: str, policy: BenefitPolicy | None = None
) -> PurchaseOutcome:
    """Starts the tenant's engagement; for a tenant that has one, does what R4 decides
    (``fasttrack.benefit_use``): recognise the order, attach it, refuse it, or start again."""
    purchase = Purchase.model_validate(purchase.model_dump(mode="json"), context=EDGE)  # the strict rules
    engagement_id = engagement_id_for(purchase.tenant_id)
    engagement_input = EngagementInput(purchase=purchase, policy=policy or BenefitPolicy())

    async def start(reuse: WorkflowIDReusePolicy) -> WorkflowHandle:
        return await client.start_workflow(
            EngagementWorkflow.run,
            engagement_input,
            id=engagement_id,
            task_queue=task_queue,
            id_reuse_policy=reuse,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=_start_summary(purchase),
            static_details=f"FastTrack Center benefit for Intune — region {purchase.region.value}",
            search_attributes=_initial_search_attributes(purchase),
        )

    try:
        handle = await start(WorkflowIDReusePolicy.REJECT_DUPLICATE)
        return PurchaseOutcome(handle, True, f"Engagement {engagement_id} started.")
    except WorkflowAlreadyStartedError:
        pass
    handle = client.get_workflow_handle_for(EngagementWorkflow.run, engagement_id)
    description = await handle.describe()
    running = description.status == WorkflowExecutionStatus.RUNNING
    if running:
        state = await handle.query(EngagementWorkflow.state)
        existing = ExistingEngagement(engagement_id, state.outcome,
                                      frozenset([state.purchase.order_id, *state.additional_purchases]))
    elif description.status == WorkflowExecutionStatus.COMPLETED:
        existing = ExistingEngagement(engagement_id, (await handle.result()).outcome)
    else:  # terminated, failed or timed out: the earlier run has no outcome
        existing = ExistingEngagement(engagement_id, None)
    decision = decide_purchase(purchase, existing, run_ended=not running)
    if decision.kind is PurchaseDecision.REFUSE:
        raise BenefitAlreadyUsed(decision.message)
    if decision.kind is PurchaseDecision.RECOGNISED:
        return PurchaseOutcome(handle, False, decision.message)
    if decision.kind is PurchaseDecision.ATTACH:
        await handle.signal(EngagementWorkflow.purchase_received, purchase)
        return PurchaseOutcome(handle, False, decision.message)
    if running:  # closed as ineligible, its run completing
        await _until_run_completes(handle)
    handle = await start(WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    return PurchaseOutcome(handle, True, decision.message)


async def _until_run_completes(handle: WorkflowHandle, within: timedelta = timedelta(seconds=30)) -> None:
    """An engagement closed as ineligible completes its run moments after closing;
    a new purchase for the tenant starts once it has."""
    try:
        await asyncio.wait_for(handle.result(), within.total_seconds())
    except asyncio.TimeoutError:
        raise EngagementStillClosing(
            f"Engagement {handle.id} closed as ineligible but its run has not completed yet "
            "(is the worker running?); send the purchase again in a moment."
        ) from None


def _initial_search_attributes(purchase: Purchase) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.TENANT_ID, purchase.tenant_id),
            SearchAttributePair(sa.REGION, purchase.region.value),
            SearchAttributePair(sa.PHASE, Phase.ELIGIBILITY.value),
        ]
    )


async def register_search_attributes(client: Client, namespace: str) -> None:
    """Registers the engagement's search attributes on a server that lacks them
    (the embedded dev server gets them from its start flags instead)."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=namespace,
            search_attributes={key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in sa.ALL},
        )
    )
