"""Engagements listed through Temporal's visibility (search attributes and memo),
never by asking each engagement: `fasttrack list` and the bench's scale run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus
from temporalio.common import SearchAttributeKey, TypedSearchAttributes

from fasttrack.models import CLOSED_PHASES, Phase, Region
from fasttrack.policy import BenefitPolicy
from fasttrack.risks import Risk
from workflows import patches
from workflows import search_attributes as sa
from workflows.patches import CHANGE_NAMED

_CLOSED = {phase.value for phase in CLOSED_PHASES}


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


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


# Runs started before this publish no risks list: a run asks a change once, at its start
# or when it replays, and keeps that answer until it continues as new.
RISKS_LIST_SINCE = _utc_midnight(CHANGE_NAMED[patches.RISKS_LIST].added)


# The separate attributes that runs older than the risks list raise, and when each is raised.
_OLDER_FLAGS: dict[Risk, tuple[SearchAttributeKey[Any], str]] = {
    Risk.CONTACT_SLA_BREACHED: (sa.CONTACT_SLA_BREACHED, "= true"),
    Risk.REMEDIATION_STALLED: (sa.REMEDIATION_STALLED, "= true"),
    Risk.MESSAGES_DELAYED: (sa.MESSAGES_DELAYED, "= true"),
    Risk.RECORD_TOO_LARGE: (sa.RECORD_TOO_LARGE_SINCE, "IS NOT NULL"),
}


@dataclass
class ListFilter:
    phase: Phase | None = None
    region: Region | None = None
    at_risk: bool = False
    # Days that count as a near deadline. Given, --at-risk matches the onboarding deadline
    # by date (a slower query); None reads each engagement's own "deadline-near".
    deadline_within_days: int | None = None
    open_only: bool = False
    organization: str | None = None  # part of the name, any case: read from each engagement's memo, not visibility
    # Runs started before this moment have no risks list: --at-risk reads their separate flags.
    # The default is the day the list was introduced; a deployment that took it later says when.
    risks_list_since: datetime = RISKS_LIST_SINCE

    def names(self, organization: str | None) -> bool:
        return self.organization is None or self.organization.casefold() in (organization or "").casefold()

    @property
    def near_deadline_days(self) -> int:
        return NEAR_DEADLINE_DAYS if self.deadline_within_days is None else self.deadline_within_days

    def queries(self, now: datetime) -> list[str]:
        """The visibility queries whose answers, together, are the list. At risk: one indexed
        condition on the risks list, and the older runs' separate flags, bounded by their start."""
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
        if not self.at_risk:
            return [" AND ".join(clauses)]
        horizon = f"{sa.ONBOARDING_DEADLINE.name} <= '{now + timedelta(days=self.near_deadline_days):%Y-%m-%dT%H:%M:%SZ}'"
        by_date = self.deadline_within_days is not None
        listed = [risk for risk in Risk if not (by_date and risk is Risk.DEADLINE_NEAR)]
        words = ", ".join(f"'{risk.value}'" for risk in listed)
        raised = f"{sa.RISKS.name} IN ({words})"
        flags = " OR ".join([*(f"{key.name} {raised_when}" for key, raised_when in _OLDER_FLAGS.values()), horizon])
        older = f"StartTime < '{self.risks_list_since:%Y-%m-%dT%H:%M:%SZ}'"
        return [
            " AND ".join([*clauses, f"({raised} OR {horizon})" if by_date else raised]),
            " AND ".join([*clauses, older, f"({flags})"]),
        ]


def row_risks(attributes: TypedSearchAttributes) -> list[str]:
    published = attributes.get(sa.RISKS)
    if published is not None:
        return [risk.label for risk in Risk if risk.value in published]
    # An engagement on a release before the risks list: its separate flags.
    return [risk.label for risk, (key, raised_when) in _OLDER_FLAGS.items()
            if (attributes.get(key) is not None if raised_when == "IS NOT NULL" else bool(attributes.get(key)))]


def _whole_days(delta: timedelta) -> int:
    return int(delta.total_seconds() // 86400)


async def list_engagements(client: Client, selection: ListFilter, now: datetime | None = None) -> list[EngagementRow]:
    now = now or datetime.now(timezone.utc)
    rows = []
    listed = set()  # a run both queries find is listed once
    for query in selection.queries(now):
        async for execution in client.list_workflows(query):
            if (execution.id, execution.run_id) not in listed:
                listed.add((execution.id, execution.run_id))
                row = await _row(execution, selection, now)
                if row is not None:
                    rows.append(row)
    return rows


async def _row(execution: WorkflowExecution, selection: ListFilter, now: datetime) -> EngagementRow | None:
    organization = await execution.memo_value("organization", None, type_hint=str)
    if not selection.names(organization):
        return None
    attributes = execution.typed_search_attributes
    phase_since = attributes.get(sa.PHASE_SINCE)
    deadline = attributes.get(sa.ONBOARDING_DEADLINE)
    phase = attributes.get(sa.PHASE)
    running = execution.status == WorkflowExecutionStatus.RUNNING and phase not in _CLOSED
    days_to_deadline = _whole_days(deadline - now) if deadline and running else None
    risks = row_risks(attributes) if running else []
    near = days_to_deadline is not None and days_to_deadline <= selection.near_deadline_days
    if near or selection.deadline_within_days is not None:
        # The days left say more than the flag, and a window given replaces the engagement's own.
        risks = [label for label in risks if label != Risk.DEADLINE_NEAR.label]
    if near:
        risks.append(f"deadline in {days_to_deadline} d")
    return EngagementRow(
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
        contact_sla_breached=bool(attributes.get(sa.CONTACT_SLA_BREACHED)),
        remediation_stalled=bool(attributes.get(sa.REMEDIATION_STALLED)),
        open_remediation_items=attributes.get(sa.OPEN_REMEDIATION_ITEMS),
        remediation_items=attributes.get(sa.REMEDIATION_ITEMS),
        risks=risks,
    )
