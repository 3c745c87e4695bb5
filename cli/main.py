"""`fasttrack`: the operators' command line for FastTrack engagements.

Exit codes: 0 done; 1 the engagement refused the action (the reason is
printed); 2 bad input or configuration; 3 no such engagement; 4 Temporal
cannot be reached.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.console import Console
from temporalio.client import Client

from cli import views
from cli.engagements import (
    ActionRefused,
    BadInput,
    CommandError,
    ListFilter,
    TemporalUnavailable,
    list_engagements,
    perform,
    read_message_delivery,
    read_state,
)
from fasttrack.models import (
    Action,
    AppSelected,
    AssistanceRequested,
    CallKind,
    CallRescheduled,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EnvironmentSubmitted,
    Goal,
    IdentityModel,
    KickoffHeld,
    LinkType,
    MdmAuthority,
    Phase,
    PlanAgreed,
    Purchase,
    Region,
    RemediationItemDone,
    Scope,
    SourceEnvironment,
    TaskDone,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import MdmPlatform
from workers.client import BenefitAlreadyUsed, EngagementStillClosing, connect, record_purchase
from workers.config import ClientSettings, ConfigurationError
from workflows.engagement import EngagementWorkflow

app = typer.Typer(
    name="fasttrack",
    help="Start, drive and inspect FastTrack engagements for Intune (one per tenant).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    epilog="Exit codes: 0 done · 1 refused by the engagement · 2 bad input · 3 no such engagement · "
    "4 Temporal unreachable. Connection settings come from FASTTRACK_TEMPORAL_ADDRESS, "
    "FASTTRACK_TEMPORAL_NAMESPACE, FASTTRACK_TASK_QUEUE, FASTTRACK_TEMPORAL_TLS, FASTTRACK_TEMPORAL_API_KEY.",
)
# Piped output is not cut at 80 columns: tables stay readable in files and logs.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

T = TypeVar("T")

EngagementArgument = Annotated[
    str, typer.Argument(metavar="ENGAGEMENT", help="Engagement id (fasttrack-intune-<tenant id>) or tenant id.")
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", envvar="FASTTRACK_ACTOR", help="Who did it (default: your login name)."),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note recorded with the action.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class _Options:
    address: str | None = None
    namespace: str | None = None


options = _Options()


@app.callback()
def main(
    address: Annotated[
        str | None, typer.Option(help="Temporal address host:port (overrides FASTTRACK_TEMPORAL_ADDRESS).")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option(help="Temporal namespace (overrides FASTTRACK_TEMPORAL_NAMESPACE).")
    ] = None,
) -> None:
    options.address = address
    options.namespace = namespace


def settings() -> ClientSettings:
    overrides = {}
    if options.address:
        overrides["temporal_address"] = options.address
    if options.namespace:
        overrides["temporal_namespace"] = options.namespace
    base = ClientSettings.from_environment()
    try:
        return ClientSettings.model_validate({**base.model_dump(), **overrides})
    except ValidationError as error:
        problems = "; ".join(problem["msg"].removeprefix("Value error, ") for problem in error.errors())
        raise BadInput(f"Invalid connection option: {problems}") from None


def run(work: Callable[[Client], Awaitable[T]]) -> T:
    """Connects, runs ``work``, and turns every failure into a message and an exit code."""

    async def connected() -> T:
        config = settings()
        try:
            client = await connect(config)
        except RuntimeError as error:
            reason = "connection refused" if "refused" in str(error).lower() else str(error)
            raise TemporalUnavailable(
                f"Cannot reach Temporal at {config.temporal_address} ({reason}). Start the stack with `make run`; "
                "if it runs on other ports, set FASTTRACK_TEMPORAL_PORT (or FASTTRACK_TEMPORAL_ADDRESS) here too."
            ) from None
        return await work(client)

    try:
        return asyncio.run(connected())
    except ConfigurationError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    except ActionRefused as refusal:
        errors.print(f"[red]Refused:[/red] {refusal}")
        raise typer.Exit(refusal.exit_code) from None
    except CommandError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(error.exit_code) from None


def build(model: type[BaseModel], **values: Any):
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise_invalid(model.__name__, error)


def raise_invalid(what: str, error: ValidationError):
    lines = []
    for problem in error.errors():
        # Drop pydantic's union branch names ("str-enum[...]", "literal[...]") from the field path.
        field = ".".join(str(part) for part in problem["loc"] if "[" not in str(part)) or what
        lines.append(f"  {field}: {problem['msg'].removeprefix('Value error, ')}")
    errors.print(f"[red]Invalid {what}:[/red]\n" + "\n".join(lines))
    raise typer.Exit(2)


def load_document(path: str) -> Any:
    """JSON or YAML from a file, or from standard input when the path is '-'."""
    name = "standard input" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        errors.print(f"[red]Cannot read {name}:[/red] {error.strerror}")
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        errors.print(f"[red]Cannot read {name}:[/red] it is not UTF-8 text")
        raise typer.Exit(2) from None
    is_yaml = path.endswith((".yaml", ".yml"))
    try:
        return yaml.safe_load(text) if is_yaml else json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        errors.print(f"[red]{name} is not valid {'YAML' if is_yaml else 'JSON'}:[/red] {error}")
        raise typer.Exit(2) from None


def load_object(path: str) -> dict:
    document = load_document(path)
    if not isinstance(document, dict):
        name = "standard input" if path == "-" else path
        errors.print(f"[red]{name} must hold one object (a mapping of fields), not {type(document).__name__}.[/red]")
        raise typer.Exit(2)
    return document


def actor(by: str | None) -> str:
    return by or getpass.getuser()


def act(engagement: str, update, action: Action) -> None:
    receipt = run(lambda client: perform(client, engagement, update, action))
    console.print(f"[green]✓[/green] {receipt.message}  [dim]({receipt.engagement_id}: {receipt.phase.value})[/dim]")


# ---------------------------------------------------------------- purchase


@app.command()
def purchase(
    source: Annotated[str, typer.Argument(metavar="FILE", help="Purchase event as JSON or YAML; '-' reads stdin.")],
) -> None:
    """Start an engagement from a license-purchase event (a second one for the same tenant attaches to
    its open engagement; one after the engagement closed is refused, unless it closed as ineligible)."""
    event = build(Purchase, **load_object(source))

    async def start(client: Client):
        try:
            return await record_purchase(client, event, settings().task_queue)
        except (BenefitAlreadyUsed, EngagementStillClosing) as refusal:
            raise ActionRefused(str(refusal)) from None

    outcome = run(start)
    mark = "[green]✓[/green]" if outcome.created else "[yellow]→[/yellow]"
    console.print(f"{mark} {outcome.message}")


# ---------------------------------------------------------------- actions


@app.command()
def contact(engagement: EngagementArgument, by: ByOption = None, note: NoteOption = None) -> None:
    """Record that FastTrack reached the customer (Initiate)."""
    act(engagement, EngagementWorkflow.record_contact, build(ContactMade, by=actor(by), note=note))


@app.command()
def assistance(engagement: EngagementArgument, by: ByOption = None, note: NoteOption = None) -> None:
    """Record the customer's request for assistance from the FastTrack portal (Initiate)."""
    act(engagement, EngagementWorkflow.request_assistance, build(AssistanceRequested, by=actor(by), note=note))


@app.command()
def kickoff(
    engagement: EngagementArgument,
    scope_file: Annotated[
        str | None, typer.Option("--scope", metavar="FILE", help="The whole scope as JSON/YAML (or use the flags).")
    ] = None,
    goal: Annotated[list[Goal] | None, typer.Option(help="mdm, mam, pc_management (repeat).")] = None,
    identity: Annotated[IdentityModel | None, typer.Option(help="Identity model.")] = None,
    mdm_authority: Annotated[MdmAuthority | None, typer.Option(help="none only for MAM-only scopes.")] = None,
    hybrid: Annotated[bool, typer.Option(help="Hybrid with Configuration Manager.")] = False,
    language: Annotated[str | None, typer.Option(help="Assistance language (BCP 47), e.g. fr.")] = None,
    pm_name: Annotated[str | None, typer.Option(help="The customer's project manager.")] = None,
    pm_email: Annotated[str | None, typer.Option(help="The project manager's email.")] = None,
    exchange_on_premises: Annotated[bool, typer.Option(help="Exchange on premises (adds the connector).")] = False,
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record the kickoff and the agreed scope (ends Initiate)."""
    if scope_file is not None:
        values = load_object(scope_file)
    else:
        values = {
            "goals": goal or [],
            "identity_model": identity,
            "mdm_authority": mdm_authority,
            "hybrid_configmgr": hybrid,
            "language": language,
            "project_manager": {"name": pm_name, "email": pm_email},
            "exchange_on_premises": exchange_on_premises,
        }
    scope = build(Scope, **values)
    act(engagement, EngagementWorkflow.hold_kickoff, build(KickoffHeld, by=actor(by), note=note, scope=scope))


@app.command()
def reschedule(
    engagement: EngagementArgument,
    call: Annotated[CallKind, typer.Option(help="kickoff, or the next checkpoint call.")],
    start: Annotated[str, typer.Option(help="New start, ISO 8601 with its offset, e.g. 2026-12-03T10:00+01:00.")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Move the proposed kickoff or the next checkpoint call (within the customer's business hours)."""
    act(engagement, EngagementWorkflow.reschedule_call,
        build(CallRescheduled, by=actor(by), note=note, call=call, start=start))


@app.command()
def environment(
    engagement: EngagementArgument,
    source: Annotated[str, typer.Argument(metavar="FILE", help="Source environment as JSON/YAML; '-' reads stdin.")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Submit the customer's source environment; prints the remediation checklist it produced (Assess)."""
    submitted = build(SourceEnvironment, **load_object(source))
    act(engagement, EngagementWorkflow.submit_environment,
        build(EnvironmentSubmitted, by=actor(by), note=note, environment=submitted))
    state = run(lambda client: read_state(client, engagement))
    console.print(views.checklist_table(state))
    for scope_note in state.scope_notes:
        console.print(f"[yellow]Scope note:[/yellow] {scope_note.text}")


@app.command()
def plan(
    engagement: EngagementArgument,
    target_date: Annotated[str, typer.Option(help="Remediation target date, YYYY-MM-DD.")],
    cadence: Annotated[str | None, typer.Option(help="Checkpoint cadence: weekly (default) or biweekly.")] = None,
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record the agreed remediation plan and checkpoint cadence (ends Assess)."""
    act(engagement, EngagementWorkflow.agree_plan,
        build(PlanAgreed, by=actor(by), note=note, target_date=target_date, checkpoint_cadence=cadence))


@app.command("item-done")
def item_done(
    engagement: EngagementArgument,
    item_id: Annotated[str, typer.Argument(metavar="ITEM", help="Checklist item id (see `fasttrack status`).")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record one remediation checklist item as done (Remediate)."""
    act(engagement, EngagementWorkflow.complete_remediation_item,
        build(RemediationItemDone, by=actor(by), note=note, item_id=item_id))


@app.command()
def checkpoint(engagement: EngagementArgument, by: ByOption = None, note: NoteOption = None) -> None:
    """Record a checkpoint call held (Remediate)."""
    act(engagement, EngagementWorkflow.hold_checkpoint, build(CheckpointHeld, by=actor(by), note=note))


@app.command()
def verify(
    engagement: EngagementArgument,
    approve: Annotated[bool, typer.Option("--approve", help="The joint verification passed.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="It did not: name the items to reopen.")] = False,
    reopen: Annotated[list[str] | None, typer.Option(metavar="ITEM", help="Item to reopen (repeat).")] = None,
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record the joint verification of the remediation: --approve, or --reject --reopen ITEM …"""
    if approve == reject:
        errors.print("[red]Say --approve or --reject (one of them).[/red]")
        raise typer.Exit(2)
    act(engagement, EngagementWorkflow.verify_remediation,
        build(VerificationResult, by=actor(by), note=note, approved=approve, reopen_item_ids=reopen or []))


@app.command("task-done")
def task_done(
    engagement: EngagementArgument,
    task_id: Annotated[str, typer.Argument(metavar="TASK", help="Task id (see `fasttrack status`).")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record one Enable task as done (core capabilities first, then Intune)."""
    act(engagement, EngagementWorkflow.complete_task, build(TaskDone, by=actor(by), note=note, task_id=task_id))


@app.command()
def device(
    engagement: EngagementArgument,
    platform: Annotated[MdmPlatform, typer.Option(help="MDM platform.")],
    name: Annotated[str, typer.Option(help="Device name.")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record a test device enrolled (Enable — Intune; at most 2 per platform)."""
    act(engagement, EngagementWorkflow.enroll_test_device,
        build(DeviceEnrolled, by=actor(by), note=note, platform=platform, device_name=name))


@app.command("app")
def select_app(
    engagement: EngagementArgument,
    platform: Annotated[MdmPlatform, typer.Option(help="MDM platform.")],
    name: Annotated[str, typer.Option(help="App name.")],
    link_type: Annotated[LinkType, typer.Option(help="web_link or deep_link.")],
    link: Annotated[str, typer.Option(help="The app's link.")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Record an app selected for deployment (Enable — Intune; at most 2 per platform)."""
    act(engagement, EngagementWorkflow.select_app,
        build(AppSelected, by=actor(by), note=note, platform=platform, app_name=name, link_type=link_type, link=link))


@app.command()
def withdraw(
    engagement: EngagementArgument,
    reason: Annotated[str, typer.Option(help="Why the customer withdraws.")],
    by: ByOption = None,
) -> None:
    """Close the engagement as withdrawn, with a reason."""
    act(engagement, EngagementWorkflow.withdraw, build(Withdrawal, by=actor(by), reason=reason))


# ---------------------------------------------------------------- reading


@app.command()
def status(engagement: EngagementArgument, as_json: JsonOption = False) -> None:
    """Where the engagement stands: phase, done and open work with owners, deadlines, SLA flags, next reminder."""
    async def read(client: Client):
        state = await read_state(client, engagement)
        return state, await read_message_delivery(client, state)

    state, delivery = run(read)
    if as_json:
        print(state.model_dump_json(indent=2))
        return
    console.print(views.status(state, delivery))


@app.command("list")
def list_command(
    phase: Annotated[Phase | None, typer.Option(help="Only this phase.")] = None,
    region: Annotated[Region | None, typer.Option(help="Only this region.")] = None,
    at_risk: Annotated[
        bool, typer.Option("--at-risk", help="Only open engagements with a breached contact SLA, a stalled "
                           "remediation, or a deadline within --deadline-within days.")
    ] = False,
    deadline_within: Annotated[
        int, typer.Option(min=0, max=3660, help="Days that count as a near deadline (a risk flag; a filter with --at-risk).")
    ] = 30,
    open_only: Annotated[bool, typer.Option("--open", help="Only engagements still running.")] = False,
    as_json: JsonOption = False,
) -> None:
    """All engagements with phase, tenant, days in phase, days to the deadline and risk flags (from visibility)."""
    selection = ListFilter(phase=phase, region=region, at_risk=at_risk, deadline_within_days=deadline_within,
                           open_only=open_only)
    rows = run(lambda client: list_engagements(client, selection))
    if as_json:
        print(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    console.print(views.engagement_table(rows))


@app.command()
def timeline(engagement: EngagementArgument, as_json: JsonOption = False) -> None:
    """The recorded events in order: what, when, by whom."""
    state = run(lambda client: read_state(client, engagement))
    if as_json:
        print(json.dumps([event.model_dump(mode="json") for event in state.timeline], indent=2))
        return
    console.print(views.timeline_table(state))


@app.command()
def report(
    engagement: EngagementArgument,
    output: Annotated[Path | None, typer.Option(help="Write the report to this file instead of printing it.")] = None,
) -> None:
    """A Markdown report: scope, scope notes, checklist, tasks, timeline, outcome."""
    from fasttrack.report import engagement_report

    state = run(lambda client: read_state(client, engagement))
    text = engagement_report(state)
    if output is None:
        print(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        errors.print(f"[red]Cannot write {output}:[/red] {error.strerror}")
        raise typer.Exit(2) from None
    console.print(f"[green]✓[/green] Report written to {output}")


@app.command()
def demo(
    day_seconds: Annotated[float, typer.Option(min=0.2, max=60, help="How long a day of the benefit lasts.")] = 1.0,
) -> None:
    """Play five demo engagements on the running stack (days last a second): see them in the UI and `fasttrack list`."""
    from cli.demo import play

    run(lambda client: play(client, settings(), day_seconds, console))


def entry() -> None:
    """The console script. It leaves with ``os._exit`` once everything is printed:
    the Temporal client's Rust threads can abort a short-lived process while the
    interpreter finalizes (temporalio/sdk-python#300), which would turn a
    successful command into a crash."""
    try:
        app()
        code = 0
    except SystemExit as exit_request:
        if isinstance(exit_request.code, str):
            print(exit_request.code, file=sys.stderr)
            code = 1
        else:
            code = exit_request.code or 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
