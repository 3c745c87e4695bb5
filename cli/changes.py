"""`fasttrack changes`: every change made while engagements were running, and how
many engagements Temporal still keeps (open, or closed within the namespace's
retention) whose run started before the change took effect: a replay of any of
them, for a query as much as for a task, may still need the code the change
replaced (docs/workflow-changes.md, "Retiring a change")."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.table import Table
from temporalio.client import Client

from cli.app import JsonOption, OutputFormat, OutputOption, app, console, raise_bad, run, wants_json
from workflows.patches import CHANGE_NAMED, CHANGES


class ChangeInUse(BaseModel):
    name: str
    corpus: str
    added: date
    took_effect: date  # the day it reached the workers: ``added`` unless the operator says later
    what: str
    runs_started_before: int
    query: str  # the visibility query that counted them


def runs_started_before(day: date) -> str:
    """Engagement runs Temporal keeps that started before the end of ``day`` (UTC). A
    continue-as-new starts a new run, which asks every change afresh."""
    cutoff = datetime.combine(day + timedelta(days=1), time(), tzinfo=timezone.utc)
    return f"WorkflowType = 'EngagementWorkflow' AND StartTime < '{cutoff:%Y-%m-%dT%H:%M:%SZ}'"


def took_effect_days(given: list[str]) -> dict[str, date]:
    """``NAME=YYYY-MM-DD`` for each change that reached the workers after the day it was made."""
    days = {}
    for entry in given:
        name, _, day = entry.partition("=")
        if name.strip() not in CHANGE_NAMED:
            raise_bad("--took-effect", f"'{name.strip()}' is not a change; the changes are {', '.join(CHANGE_NAMED)}")
        try:
            days[name.strip()] = date.fromisoformat(day.strip())
        except ValueError:
            raise_bad("--took-effect", f"'{entry}' must be NAME=YYYY-MM-DD, e.g. carry-over=2026-12-01")
    return days


async def changes_in_use(client: Client, took_effect: dict[str, date] | None = None) -> list[ChangeInUse]:
    rows = []
    for change in CHANGES:
        day = max(change.added, (took_effect or {}).get(change.name, change.added))
        query = runs_started_before(day)
        rows.append(ChangeInUse(name=change.name, corpus=change.corpus, added=change.added, took_effect=day,
                                what=change.what, runs_started_before=(await client.count_workflows(query)).count,
                                query=query))
    return rows


@app.command()
def changes(
    took_effect: Annotated[list[str] | None, typer.Option(
        "--took-effect", metavar="NAME=DATE",
        help="The day a change reached your workers, when later than the day it was made (repeat).")] = None,
    output: OutputOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """The changes made while engagements were running, each with the engagements Temporal still keeps (open, or
    closed within retention) that started before it took effect: its old path may go once that count is 0
    (docs/workflow-changes.md, "Retiring a change")."""
    days = took_effect_days(took_effect or [])
    rows = run(lambda client: changes_in_use(client, days))
    if wants_json(output, as_json):
        print(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    table = Table(title="Changes made while engagements were running", title_justify="left")
    for column in ("change", "corpus", "took effect", "engagements started before, still kept", "what"):
        table.add_column(column, justify="right" if column.startswith("engagements") else "left")
    for row in rows:
        table.add_row(row.name, row.corpus, row.took_effect.isoformat(), str(row.runs_started_before), row.what)
    console.print(table)
