"""`fasttrack changes`: every change made while engagements were running, and how
many open engagements started before it, which may still replay the code it
replaced (README, "Retiring a change")."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel
from rich.table import Table
from temporalio.client import Client

from cli.app import JsonOption, OutputFormat, OutputOption, app, console, run, wants_json
from workflows.patches import CHANGES


class ChangeInUse(BaseModel):
    name: str
    corpus: str
    added: date
    what: str
    open_runs_started_before: int
    query: str  # the visibility query that counted them, to run again with another day


def runs_started_before(day: date) -> str:
    """Open engagement runs that started before the end of ``day`` (UTC): a run takes
    the changes of the code it started on, and a continue-as-new starts a new run."""
    cutoff = datetime.combine(day + timedelta(days=1), time(), tzinfo=timezone.utc)
    return ("WorkflowType = 'EngagementWorkflow' AND ExecutionStatus = 'Running'"
            f" AND StartTime < '{cutoff:%Y-%m-%dT%H:%M:%SZ}'")


async def changes_in_use(client: Client) -> list[ChangeInUse]:
    rows = []
    for change in CHANGES:
        query = runs_started_before(change.added)
        rows.append(ChangeInUse(name=change.name, corpus=change.corpus, added=change.added, what=change.what,
                                open_runs_started_before=(await client.count_workflows(query)).count, query=query))
    return rows


@app.command()
def changes(output: OutputOption = OutputFormat.TABLE, as_json: JsonOption = False) -> None:
    """The changes made while engagements were running, each with the open engagements started before it:
    a change's old code may go once that count is 0 and stays 0 (README, "Retiring a change")."""
    rows = run(changes_in_use)
    if wants_json(output, as_json):
        print(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    table = Table(title="Changes made while engagements were running", title_justify="left")
    for column in ("change", "corpus", "added", "open engagements started before", "what"):
        table.add_column(column, justify="right" if column.startswith("open") else "left")
    for row in rows:
        table.add_row(row.name, row.corpus, row.added.isoformat(), str(row.open_runs_started_before), row.what)
    console.print(table)
