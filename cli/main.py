"""`fasttrack`: the operators' command line for FastTrack engagements.

Exit codes: 0 done; 1 the engagement refused the action (the reason is
printed); 2 bad input or configuration; 3 no such engagement; 4 Temporal
cannot be reached or refuses the request; 5 the engagement did not answer in
time (no worker polls its task queue, or it is busy or restarting).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from temporalio.client import Client
from typer import rich_utils
from typer._click import exceptions as usage  # typer carries its own click: its errors are these

from cli import action_commands  # noqa: F401  (registers the purchase and action commands first)
from cli import any_action as _any_action  # noqa: F401  (registers `fasttrack action`)
from cli import changes as _changes  # noqa: F401  (registers `fasttrack changes`)
from cli import processes as _processes  # noqa: F401  (registers `fasttrack worker|intake|codec-server|dev`)
from cli import views
from cli.app import (
    ANSWER_WITHIN,
    EngagementArgument,
    JsonOption,
    OutputFormat,
    OutputOption,
    app,
    console,
    current_state,
    errors,
    run,
    settings,
    wants_json,
)
from cli.terminal import visible
from cli.wording import reword_usage
from engagement_client.engagements import page_last_opened, read_message_delivery, read_state
from engagement_client.listing import RISKS_LIST_SINCE, ListFilter, list_engagements
from fasttrack.models import Phase, Region
from process_support.process_exit import exit_now
from register import RegisterUnavailable


@app.command()
def status(engagement: EngagementArgument, output: OutputOption = OutputFormat.TABLE,
           as_json: JsonOption = False) -> None:
    """Where the engagement stands: phase, done and open work with owners, deadlines, SLA flags, next reminder."""
    async def read(client: Client):
        # The table shows no timeline (`fasttrack timeline` does); JSON keeps the whole record.
        state = await read_state(client, engagement, answer_within=ANSWER_WITHIN,
                                 with_timeline=wants_json(output, as_json))
        opened: datetime | None | RegisterUnavailable = None
        if not wants_json(output, as_json):  # the record alone in JSON
            try:
                opened = await page_last_opened(state.engagement_id)
            except RegisterUnavailable as unavailable:
                opened = unavailable
        return state, await read_message_delivery(client, state, ANSWER_WITHIN), opened

    state, delivery, opened = run(read)
    if wants_json(output, as_json):
        print(state.model_dump_json(indent=2))
        return
    console.print(views.status(state, delivery, page_opened=opened))


@app.command("list")
def list_command(
    phase: Annotated[Phase | None, typer.Option(help="Only this phase.")] = None,
    region: Annotated[Region | None, typer.Option(help="Only this region.")] = None,
    at_risk: Annotated[
        bool, typer.Option("--at-risk", help="Only open engagements with a risk raised: contact SLA breached, "
                           "remediation stalled, messages delayed, record too large, signals refused, or the "
                           "onboarding window ending within 30 days (or --deadline-within days).")
    ] = False,
    deadline_within: Annotated[
        int | None, typer.Option(min=0, max=3660,
                                 help="Days that count as a near deadline (a risk flag; with --at-risk a filter, "
                                      "and a slower query) [default: 30].")
    ] = None,
    risks_list_since: Annotated[
        datetime | None, typer.Option(
            "--risks-list-since", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
            help="With --at-risk: the day the risks list reached your workers, if later than the day it was made "
                 f"({RISKS_LIST_SINCE:%Y-%m-%d}); engagements whose run started before it are found by their separate "
                 "risk flags.")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only engagements still running.")] = False,
    organization: Annotated[
        str | None, typer.Option(help="Only the organizations whose name holds this text (any case).")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
    as_json: JsonOption = False,
) -> None:
    """All engagements with organization, tenant, phase, days in phase, days to the deadline and risk flags
    (from visibility, and each engagement's memo)."""
    selection = ListFilter(phase=phase, region=region, at_risk=at_risk, deadline_within_days=deadline_within,
                           risks_list_since=(risks_list_since.replace(tzinfo=timezone.utc) if risks_list_since
                                             else RISKS_LIST_SINCE),
                           open_only=open_only, organization=organization)
    rows = run(lambda client: list_engagements(client, selection))
    if wants_json(output, as_json):
        print(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    console.print(views.engagement_table(rows))


@app.command()
def timeline(engagement: EngagementArgument, output: OutputOption = OutputFormat.TABLE,
             as_json: JsonOption = False) -> None:
    """The recorded events in order: what, when, by whom."""
    state = current_state(engagement)
    if wants_json(output, as_json):
        print(json.dumps([event.model_dump(mode="json") for event in state.timeline], indent=2))
        return
    console.print(views.timeline_table(state))


class ReportFormat(str, Enum):
    MARKDOWN = "markdown"
    JSON = "json"


@app.command()
def report(
    engagement: EngagementArgument,
    file: Annotated[
        Path | None, typer.Option("--file", help="Write the report to this file instead of printing it.")
    ] = None,
    output: Annotated[
        ReportFormat,
        typer.Option("-o", "--output", help="markdown (the report), or json: the engagement id and the report's "
                     "text, for scripts."),
    ] = ReportFormat.MARKDOWN,
) -> None:
    """A Markdown report: scope, scope notes, checklist, tasks, timeline, outcome."""
    from fasttrack.report import engagement_report

    state = current_state(engagement)
    text = engagement_report(state)
    if output is ReportFormat.JSON:
        text = json.dumps({"engagement_id": state.engagement_id, "report": text}, indent=2)
    if file is None:
        print(visible(text) if output is ReportFormat.MARKDOWN else text)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as error:
        errors.print(f"[red]Cannot write {file}:[/red] {error.strerror}")
        raise typer.Exit(2) from None
    console.print(f"[green]✓[/green] Report written to {file}")


@app.command()
def demo(
    day_seconds: Annotated[float, typer.Option(min=0.2, max=60, help="How long a day of the benefit lasts.")] = 1.0,
) -> None:
    """Play six demo engagements on the running stack (days last a second): see them in the UI and `fasttrack list`."""
    from simulation.demo import play

    run(lambda client: play(client, settings(), day_seconds, console))


def entry() -> None:
    """The console script. It leaves with ``os._exit`` once everything is printed:
    the Temporal client's Rust threads can abort a short-lived process while the
    interpreter finalizes (temporalio/sdk-python#300), which would turn a
    successful command into a crash."""
    try:
        returned = app(standalone_mode=False)  # the usage errors come here, to be said in our words
        code = returned if isinstance(returned, int) else 0
    except usage.ClickException as error:
        if isinstance(error, usage.BadParameter):
            error.message = reword_usage(error.message)
        rich_utils.rich_format_error(error)
        code = error.exit_code
    except typer.Abort:
        errors.print("Aborted.")
        code = 1
    except SystemExit as exit_request:
        if isinstance(exit_request.code, str):
            print(exit_request.code, file=sys.stderr)
            code = 1
        else:
            code = exit_request.code or 0
    except Exception as error:  # a fault of this command's own: a sentence, the traceback only when asked for
        if os.environ.get("FASTTRACK_DEBUG"):
            traceback.print_exc()
        errors.print(f"[red]Error:[/red] the command failed unexpectedly ({type(error).__name__}: {error}). "
                     "Run it again with FASTTRACK_DEBUG=1 to see where, and report it.", highlight=False)
        code = 1
    exit_now(code)
