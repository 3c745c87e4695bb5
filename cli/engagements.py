"""What the `fasttrack` command does, without the command line: find an
engagement, perform an action, read state, list through visibility."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from cli.answers import no_answer, updated
from cli.errors import ActionRefused, BadInput, CommandError, EngagementNotFound, names_a_missing_namespace
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
from fasttrack.policy import BenefitPolicy
from fasttrack.risks import Risk
from register import Register
from workers.client import default_register
from workflows import search_attributes as sa
from workflows.engagement import EngagementWorkflow
from workflows.message_delivery import MessageDeliveryWorkflow

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ENGAGEMENT_PREFIX = ENGAGEMENT_ID_PREFIX
_CLOSED = {phase.value for phase in CLOSED_PHASES}


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


class EngagementRow(BaseModel):
    engagement_id: str
    tenant_id: str
    organization: str | None  # from the engagement's memo: none for those started before it was written
    region: str | None
    phase: str
    status: str
    phase_since: datetime | None
    days_in_phase: int | None
    onboarding_deadline: datetime | None
    days_to_deadline: int | None
    contact_sla_breached: bool
    remediation_stalled: bool
    open_remediation_items: int | None  # engagements started before release 16
    remediation_items: str | None  # newer ones: "open" or "done", absent before the plan
    risks: list[str]


# An engagement raises "deadline-near" when its manager is warned: the policy's default is this.
NEAR_DEADLINE_DAYS = BenefitPolicy().deadline_warning_before.days


@dataclass
class ListFilter:
    phase: Phase | None = None
    region: Region | None = None
    at_risk: bool = False
    # Days that count as a near deadline. Given, it widens --at-risk by a date condition
    # (about five times slower at 50,000 engagements); None reads each engagement's own flag.
    deadline_within_days: int | None = None
    open_only: bool = False
    organization: str | None = None  # part of the name, any case: read from each engagement's memo, not visibility
    # Engagements on a release before the risks list publish it at their next workflow
    # task; until then only the separate flags (a slower query) find them at risk.
    legacy_risk_flags: bool = False

    def names(self, organization: str | None) -> bool:
        return self.organization is None or self.organization.casefold() in (organization or "").casefold()

    @property
    def near_deadline_days(self) -> int:
        return NEAR_DEADLINE_DAYS if self.deadline_within_days is None else self.deadline_within_days

    def query(self, now: datetime) -> str:
        clauses = ["WorkflowType = 'EngagementWorkflow'"]
        if self.phase is not None:
            clauses.append(f"{sa.PHASE.name} = '{self.phase.value}'")
        if self.region is not None:
            clauses.append(f"{sa.REGION.name} = '{self.region.value}'")
        if self.open_only or self.at_risk:
            # A closed phase is closed even while its run still finishes (or, for an
            # engagement that closed on older code, while it waits to send its last message).
            closed = ", ".join(f"'{phase}'" for phase in sorted(_CLOSED))
            clauses.append(f"ExecutionStatus = 'Running' AND {sa.PHASE.name} NOT IN ({closed})")
        if self.at_risk:
            raised = ", ".join(f"'{risk.value}'" for risk in Risk)
            conditions = [f"{sa.RISKS.name} IN ({raised})"]
            if self.legacy_risk_flags:
                conditions += [f"{sa.CONTACT_SLA_BREACHED.name} = true", f"{sa.REMEDIATION_STALLED.name} = true",
                               f"{sa.MESSAGES_DELAYED.name} = true", f"{sa.RECORD_TOO_LARGE_SINCE.name} IS NOT NULL"]
            if self.legacy_risk_flags or self.deadline_within_days is not None:
                horizon = (now + timedelta(days=self.near_deadline_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
                conditions.append(f"{sa.ONBOARDING_DEADLINE.name} <= '{horizon}'")
            clauses.append(conditions[0] if len(conditions) == 1 else f"({' OR '.join(conditions)})")
        return " AND ".join(clauses)


def _row_risks(attributes: TypedSearchAttributes) -> list[str]:
    published = attributes.get(sa.RISKS)
    if published is not None:
        return [risk.label for risk in Risk if risk.value in published]
    # An engagement on a release before the risks list: its separate flags.
    flags = (
        (Risk.CONTACT_SLA_BREACHED, attributes.get(sa.CONTACT_SLA_BREACHED)),
        (Risk.REMEDIATION_STALLED, attributes.get(sa.REMEDIATION_STALLED)),
        (Risk.MESSAGES_DELAYED, attributes.get(sa.MESSAGES_DELAYED)),
        (Risk.RECORD_TOO_LARGE, attributes.get(sa.RECORD_TOO_LARGE_SINCE) is not None),
    )
    return [risk.label for risk, raised in flags if raised]


def _whole_days(delta: timedelta) -> int:
    return int(delta.total_seconds() // 86400)


async def list_engagements(client: Client, selection: ListFilter, now: datetime | None = None) -> list[EngagementRow]:
    now = now or datetime.now(timezone.utc)
    rows = []
    async for execution in client.list_workflows(selection.query(now)):
        organization = await execution.memo_value("organization", None, type_hint=str)
        if not selection.names(organization):
            continue
        attributes = execution.typed_search_attributes
        phase_since = attributes.get(sa.PHASE_SINCE)
        deadline = attributes.get(sa.ONBOARDING_DEADLINE)
        phase = attributes.get(sa.PHASE)
        running = execution.status == WorkflowExecutionStatus.RUNNING and phase not in _CLOSED
        sla = bool(attributes.get(sa.CONTACT_SLA_BREACHED))
        stalled = bool(attributes.get(sa.REMEDIATION_STALLED))
        days_to_deadline = _whole_days(deadline - now) if deadline and running else None
        risks = _row_risks(attributes) if running else []
        if days_to_deadline is not None and days_to_deadline <= selection.near_deadline_days:
            risks = [label for label in risks if label != Risk.DEADLINE_NEAR.label]
            risks.append(f"deadline in {days_to_deadline} d")
        rows.append(
            EngagementRow(
                engagement_id=execution.id,
                tenant_id=attributes.get(sa.TENANT_ID) or "",
                organization=organization,
                region=attributes.get(sa.REGION),
                phase=phase or "?",
                status=execution.status.name.lower() if execution.status else "unknown",
                phase_since=phase_since,
                days_in_phase=_whole_days(now - phase_since) if phase_since else None,
                onboarding_deadline=deadline,
                days_to_deadline=days_to_deadline,
                contact_sla_breached=sla,
                remediation_stalled=stalled,
                open_remediation_items=attributes.get(sa.OPEN_REMEDIATION_ITEMS),
                remediation_items=attributes.get(sa.REMEDIATION_ITEMS),
                risks=risks,
            )
        )
    return rows
