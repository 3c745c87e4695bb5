"""Engagement counts from Temporal's visibility, one query each: the worker's /metrics
gauges and the board's summary ask the same questions, so they give the same numbers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.client import Client

from fasttrack.models import Phase
from workflows import search_attributes as sa

# One engagement is one workflow id: the runs it closed by continuing as new are not counted.
ENGAGEMENTS = 'WorkflowType = "EngagementWorkflow" AND ExecutionStatus != "ContinuedAsNew"'
# The risk flags counted, by their metric label.
RISKS = {
    "contact_sla_breached": sa.CONTACT_SLA_BREACHED.name,
    "remediation_stalled": sa.REMEDIATION_STALLED.name,
    "messages_delayed": sa.MESSAGES_DELAYED.name,
}


def phase_query(phase: Phase) -> str:
    """Engagements in ``phase``: open, or closed within Temporal's retention."""
    return f'{ENGAGEMENTS} AND {sa.PHASE.name} = "{phase.value}"'


def risk_query(attribute: str) -> str:
    """Open engagements with this risk flag raised."""
    return f'{ENGAGEMENTS} AND ExecutionStatus = "Running" AND {attribute} = true'


Count = tuple[str, str]  # ("phase", value) or ("risk", label)
# Every count, with its visibility query.
QUESTIONS: dict[Count, str] = {("phase", phase.value): phase_query(phase) for phase in Phase} | {
    ("risk", risk): risk_query(attribute) for risk, attribute in RISKS.items()}


async def counted(client: Client, asked: list[Count], timeout: timedelta) -> dict[Count, int]:
    """The counts ``asked``, read at once."""
    answers = await asyncio.gather(*(client.count_workflows(QUESTIONS[count], rpc_timeout=timeout)
                                     for count in asked))
    return {count: answer.count for count, answer in zip(asked, answers)}


async def engagement_counts(client: Client, timeout: timedelta) -> tuple[dict[str, int], dict[str, int]]:
    """Engagements by phase, and open engagements by risk flag."""
    counts = await counted(client, list(QUESTIONS), timeout)
    return ({label: value for (kind, label), value in counts.items() if kind == "phase"},
            {label: value for (kind, label), value in counts.items() if kind == "risk"})
