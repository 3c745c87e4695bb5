"""One engagement from the client side: find it, perform an action once, read its
state (from Temporal, or from the register once Temporal has let go)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from engagement_client.answers import no_answer, updated
from engagement_client.errors import ActionRefused, BadInput, CommandError, EngagementNotFound, names_a_missing_namespace
from engagement_client.purchases import default_register
from fasttrack.contract import ENGAGEMENT_ID_PREFIX, engagement_id_for
from fasttrack.models import (
    CLOSED_PHASES,
    Action,
    ActionReceipt,
    EngagementResult,
    EngagementState,
    MessageDeliveryResult,
    Phase,
    Region,
)
from register import Register
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ENGAGEMENT_PREFIX = ENGAGEMENT_ID_PREFIX


def resolve_engagement_id(reference: str) -> str:
    """An engagement is named by its id (fasttrack-intune-…) or by its tenant id."""
    given = reference.strip()
    reference = given.lower()  # ids are lower-case: upper-case ones, as pasted from elsewhere, name the same
    if _GUID.match(reference):
        return engagement_id_for(reference)
    if reference.startswith(_ENGAGEMENT_PREFIX) and _GUID.match(reference[len(_ENGAGEMENT_PREFIX):]):
        return reference
    reference = given
    raise BadInput(
        f"'{reference}' is neither an engagement id (fasttrack-intune-<tenant id>) nor a tenant id (a GUID)."
    )


async def _existing_handle(client: Client, reference: str) -> WorkflowHandle:
    engagement_id = resolve_engagement_id(reference)
    handle: WorkflowHandle[EngagementWorkflow, EngagementResult] = client.get_workflow_handle_for(
        EngagementWorkflow.run, engagement_id)
    try:
        await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND and not names_a_missing_namespace(error):
            raise EngagementNotFound(f"There is no engagement {engagement_id} running or kept by Temporal.") from None
        raise
    return handle


async def perform(client: Client, reference: str, action: Action, update_id: str | None = None,
                  register: Register | None = None, answer_within: float | None = None) -> ActionReceipt:
    """Applies an action through the update its catalogue row names (``update_id``: applied once
    however often it is sent; ``answer_within``: seconds to wait for the engagement before saying
    why it did not answer)."""
    try:
        handle = await _existing_handle(client, reference)
    except EngagementNotFound:
        kept = await asyncio.to_thread((register or default_register()).latest, resolve_engagement_id(reference))
        if kept is None or kept.outcome is None:
            raise
        raise ActionRefused(f"Engagement {kept.engagement_id} closed as {kept.outcome.status.value} on "
                            f"{kept.outcome.at:%Y-%m-%d}; it takes no more actions.") from None
    description = await handle.describe()
    if description.status != WorkflowExecutionStatus.RUNNING:
        state = await read_state(client, reference, register, answer_within)
        raise ActionRefused(
            f"Engagement {handle.id} is closed ({state.phase.value}); it takes no more actions."
        )
    try:
        return await updated(client, handle, action, update_id, answer_within)
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause)
        raise ActionRefused(message) from None
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        # It closed between the look and the action.
        raise ActionRefused(f"Engagement {handle.id} has just closed; it takes no more actions.") from None


async def read_state(client: Client, reference: str, register: Register | None = None,
                     answer_within: float | None = None, with_timeline: bool = True) -> EngagementState:
    """The engagement's record from Temporal, or, once Temporal's retention has
    removed a closed engagement, the record the benefit register kept of it.
    ``with_timeline=False`` leaves the timeline out (an empty list) when Temporal answers."""
    try:
        handle = await _existing_handle(client, reference)
    except EngagementNotFound:
        kept = await asyncio.to_thread((register or default_register()).latest, resolve_engagement_id(reference))
        if kept is None or kept.final_state is None:
            raise
        return kept.final_state
    try:
        async with asyncio.timeout(answer_within):
            if not with_timeline:
                try:
                    return await handle.query(EngagementWorkflow.standing)
                except WorkflowQueryFailedError as failure:
                    if "expected but not found" not in str(failure):
                        raise
                    # A worker from before this query was added: the whole record, then.
            return await handle.query(EngagementWorkflow.state)
    except TimeoutError:
        raise await no_answer(client, handle, answer_within or 0, "been read") from None
    except WorkflowQueryFailedError as failure:
        raise CommandError(f"Engagement {handle.id} could not be read: {failure}") from None


async def read_message_delivery(client: Client, state: EngagementState,
                                answer_within: float | None = None) -> MessageDeliveryResult | None:
    """Where the messages handed over at closing stand; None when there were none,
    or when their workflow cannot be read (it is then named on the engagement)."""
    if state.message_delivery_id is None:
        return None
    handle: WorkflowHandle[MessageDeliveryWorkflow, MessageDeliveryResult] = client.get_workflow_handle_for(
        MessageDeliveryWorkflow.run, state.message_delivery_id)
    try:
        async with asyncio.timeout(answer_within):
            return await handle.query(MessageDeliveryWorkflow.outcomes)
    except (WorkflowQueryFailedError, RPCError, TimeoutError):
        return None


async def page_last_opened(engagement_id: str, register: Register | None = None) -> datetime | None:
    """When the customer last opened their page (the register keeps it); None if never."""
    return await asyncio.to_thread((register or default_register()).page_last_opened, engagement_id)
