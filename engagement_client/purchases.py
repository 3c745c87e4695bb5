"""Client helpers shared by the worker, operators' tools and tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from engagement_client.settings import ClientSettings
from fasttrack.engagement import engagement_id_for
from fasttrack.errors import BenefitAlreadyUsed, FastTrackError
from fasttrack.models import EDGE, EngagementInput, EngagementResult, Phase, Purchase, RegisterClosing, RegisterProgress
from fasttrack.policy import BenefitPolicy
from fasttrack.report import engagement_report
from register import Claim, ClaimKind, Register
from workflows import search_attributes as sa
from workflows.engagement import EngagementWorkflow


class EngagementStillClosing(FastTrackError):
    """The tenant's engagement has closed, but its run has not completed yet."""


class EngagementGone(FastTrackError):
    """The tenant's engagement no longer runs and left no outcome."""


class EngagementNotRegistered(FastTrackError):
    """An engagement from before the register could not be read to record it."""


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
    client: Client, purchase: Purchase, task_queue: str, policy: BenefitPolicy | None = None,
    register: Register | None = None,
) -> PurchaseOutcome:
    """Records the purchase in the benefit register, which decides what R4 makes of
    it (``fasttrack.benefit_use``), then starts the tenant's engagement, attaches the
    order to it, recognises it or refuses it. The register's keys make two purchases
    for one tenant at the same moment open one engagement, and keep R4 long after
    Temporal has forgotten a closed engagement."""
    purchase = Purchase.model_validate(purchase.model_dump(mode="json"), context=EDGE)  # the strict rules
    register = register or default_register()
    engagement_id = engagement_id_for(purchase.tenant_id)
    handle: WorkflowHandle[EngagementWorkflow, EngagementResult] = client.get_workflow_handle_for(
        EngagementWorkflow.run, engagement_id)
    claim = await asyncio.to_thread(register.claim, purchase, engagement_id, datetime.now(timezone.utc))
    if claim.kind is ClaimKind.START and await _adopt_earlier_engagement(handle, purchase, register):
        claim = await asyncio.to_thread(register.claim, purchase, engagement_id, datetime.now(timezone.utc))
    if claim.kind is ClaimKind.REFUSE:
        raise BenefitAlreadyUsed(claim.message)
    if claim.kind is ClaimKind.ATTACH:
        return PurchaseOutcome(await _attach(handle, purchase, claim, register), False, claim.message)
    if claim.kind is ClaimKind.RECOGNISED and not claim.may_start:
        return PurchaseOutcome(handle, False, claim.message)
    if claim.kind is ClaimKind.START_AGAIN:
        await _until_run_completes(handle)
    # One call: starts the engagement, or, when it is already running (the same order
    # sent again before its run wrote to the register), finds it; the start signal
    # carries the order, which an engagement ignores when it is its own.
    handle = await client.start_workflow(
        EngagementWorkflow.run,
        EngagementInput(purchase=purchase, policy=policy or BenefitPolicy()),
        id=engagement_id,
        task_queue=task_queue,
        # A first engagement never follows an earlier run; the register has decided the others (R4).
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE if claim.kind is ClaimKind.START
        else WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        start_signal="purchase_received",
        start_signal_args=[purchase],
        static_summary=_start_summary(purchase),
        static_details=f"FastTrack Center benefit for Intune — region {purchase.region.value}",
        search_attributes=_initial_search_attributes(purchase),
        # Shown by `fasttrack list`; a memo, not a search attribute: it names a customer.
        memo={"organization": purchase.organization} if purchase.organization else None,
    )
    return PurchaseOutcome(handle, claim.kind is not ClaimKind.RECOGNISED, claim.message)


async def _adopt_earlier_engagement(handle: WorkflowHandle, purchase: Purchase, register: Register) -> bool:
    """A tenant new to the register may have an engagement from before it (running,
    or closed and still kept by Temporal): recorded now, so that R4 sees it."""
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    try:
        state = await handle.query(EngagementWorkflow.state)
    except (WorkflowQueryFailedError, RPCError) as error:
        raise EngagementNotRegistered(
            f"Engagement {handle.id} began before the benefit register and cannot be read now ({error}); "
            "start the worker and send the purchase again."
        ) from None
    info = description.raw_description.workflow_execution_info
    earlier = RegisterProgress.of(state, info.first_run_id or description.run_id, description.run_id)
    closing = None
    if description.status != WorkflowExecutionStatus.RUNNING:
        closing = RegisterClosing(progress=earlier, outcome=state.outcome, final_state=state)
    report = engagement_report(state) if closing else None
    await asyncio.to_thread(register.adopt, purchase.order_id, earlier, closing, report)
    return True


async def _attach(handle: WorkflowHandle, purchase: Purchase, claim: Claim, register: Register) -> WorkflowHandle:
    for _ in range(50):
        try:
            await handle.signal(EngagementWorkflow.purchase_received, purchase)
            return handle
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
        if claim.running:
            break
        await asyncio.sleep(0.2)  # the engagement's own start, by the order that opened it, may be on its way
    # Gone without an outcome in the register (terminated, or deleted): the order
    # stays recorded on it, and the tenant's next purchase may start again.
    if claim.record_id is None:
        raise RuntimeError(f"The register attached order {purchase.order_id} to no record")
    await asyncio.to_thread(register.record_vanished, claim.record_id, datetime.now(timezone.utc))
    raise EngagementGone(
        f"Engagement {handle.id} no longer runs and recorded no outcome; order {purchase.order_id} is kept on "
        "it. Send the next purchase for the tenant to start again."
    )


async def _until_run_completes(handle: WorkflowHandle, within: timedelta = timedelta(seconds=30)) -> None:
    """An engagement closed as ineligible completes its run moments after its
    record closes; a new purchase for the tenant starts once it has."""
    try:
        await asyncio.wait_for(handle.result(), within.total_seconds())
    except asyncio.TimeoutError:
        raise EngagementStillClosing(
            f"Engagement {handle.id} closed as ineligible but its run has not completed yet "
            "(is the worker running?); send the purchase again in a moment."
        ) from None
    except (RPCError, WorkflowFailureError):
        pass  # gone, or ended without a result: nothing to wait for


_registers: dict[str, Register] = {}


def default_register(settings: ClientSettings | None = None) -> Register:
    """The register the environment names (FASTTRACK_DATABASE_URL, or the SQLite
    file in FASTTRACK_DATA_DIR), one per process."""
    url = (settings or ClientSettings.from_environment()).register_url
    if url not in _registers:
        _registers[url] = Register(url, create=False)  # the worker creates it
    return _registers[url]


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
