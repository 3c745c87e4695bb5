"""The commands that record what happened: a purchase, and every action of the lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from temporalio.client import Client

from cli import views
from cli.app import (
    ByOption,
    EngagementArgument,
    NoteOption,
    RequestIdOption,
    act,
    actor,
    app,
    build,
    console,
    current_state,
    errors,
    load_object,
    raise_bad,
    run,
    settings,
)
from cli.wording import MOMENT_EXAMPLE
from engagement_client.errors import ActionRefused
from engagement_client.purchases import (
    BenefitAlreadyUsed,
    EngagementGone,
    EngagementStillClosing,
    default_register,
    record_purchase,
)
from fasttrack.business_time import zone
from fasttrack.models import (
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
    PlanAgreed,
    Purchase,
    RemediationItemDone,
    Scope,
    SourceEnvironment,
    TaskDone,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import MdmPlatform

# ---------------------------------------------------------------- purchase


@app.command()
def purchase(
    source: Annotated[str, typer.Argument(metavar="FILE", help="Purchase event as JSON or YAML; '-' reads stdin.")],
) -> None:
    """Start an engagement from a license-purchase event (R4: for a tenant that has one, attached or refused)."""
    event = build(Purchase, source, **load_object(source))

    async def start(client: Client):
        try:
            return await record_purchase(client, event, settings().task_queue, register=default_register(settings()))
        except (BenefitAlreadyUsed, EngagementStillClosing, EngagementGone) as refusal:
            raise ActionRefused(str(refusal)) from None

    outcome = run(start)
    mark = "[green]✓[/green]" if outcome.created else "[yellow]→[/yellow]"
    console.print(f"{mark} {outcome.message}")


# ---------------------------------------------------------------- actions


def listed_id(typed: str) -> str:
    """Checklist items and tasks have lower-case ids (see `fasttrack status`): typed in any case, they name the same."""
    return typed.strip().lower()


@app.command()
def contact(engagement: EngagementArgument, by: ByOption = None, note: NoteOption = None,
            request_id: RequestIdOption = None) -> None:
    """Record that FastTrack reached the customer (Initiate)."""
    act(engagement, build(ContactMade, by=actor(by), note=note),
        request_id=request_id)


@app.command()
def assistance(engagement: EngagementArgument, by: ByOption = None, note: NoteOption = None,
               request_id: RequestIdOption = None) -> None:
    """Record the customer's request for assistance from the FastTrack portal (Initiate)."""
    act(engagement, build(AssistanceRequested, by=actor(by), note=note),
        request_id=request_id)


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
    pm_given_name: Annotated[str | None, typer.Option(
        help="What mail calls the project manager, e.g. Paula (optional; without it, each language greets as "
             "it does when only the full name is known).")] = None,
    exchange_on_premises: Annotated[bool, typer.Option(help="Exchange on premises (adds the connector).")] = False,
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
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
            "project_manager": {"name": pm_name, "email": pm_email,
                                **({"given_name": pm_given_name} if pm_given_name is not None else {})},
            "exchange_on_premises": exchange_on_premises,
        }
    scope = build(Scope, scope_file, **values)
    act(engagement, build(KickoffHeld, by=actor(by), note=note, scope=scope),
        request_id=request_id)


@app.command()
def reschedule(
    engagement: EngagementArgument,
    call: Annotated[CallKind, typer.Option(help="kickoff, or the next checkpoint call.")],
    start: Annotated[str, typer.Option(help="New start: '2026-12-03 10:00' in the engagement's time zone, or "
                                            "ISO 8601 with its offset, e.g. 2026-12-03T10:00+01:00.")],
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Move the proposed kickoff (after the contact, before the kickoff is held) or the next checkpoint call
    (in Remediate), within the customer's business hours."""
    try:
        moment = datetime.fromisoformat(start.strip())
    except ValueError:
        raise_bad("--start", f"must be {MOMENT_EXAMPLE}, not '{start}'")
    if moment.tzinfo is None:  # the engagement's own time, as the customer and the invitation say it
        moment = moment.replace(tzinfo=zone(current_state(engagement).time_zone))
    act(engagement, build(CallRescheduled, by=actor(by), note=note, call=call, start=moment), request_id=request_id)


@app.command()
def environment(
    engagement: EngagementArgument,
    source: Annotated[str, typer.Argument(metavar="FILE", help="Source environment as JSON/YAML; '-' reads stdin.")],
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Submit the customer's source environment; prints the remediation checklist it produced (Assess)."""
    submitted = build(SourceEnvironment, source, **load_object(source))
    act(engagement, build(EnvironmentSubmitted, by=actor(by), note=note, environment=submitted), request_id=request_id)
    state = current_state(engagement)
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
    request_id: RequestIdOption = None,
) -> None:
    """Record the agreed remediation plan and checkpoint cadence (ends Assess)."""
    act(engagement, build(PlanAgreed, by=actor(by), note=note, target_date=target_date, checkpoint_cadence=cadence),
        request_id=request_id)


@app.command("item-done")
def item_done(
    engagement: EngagementArgument,
    item_id: Annotated[str, typer.Argument(metavar="ITEM", help="Checklist item id (see `fasttrack status`).")],
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Record one remediation checklist item as done (Remediate)."""
    act(engagement, build(RemediationItemDone, by=actor(by), note=note, item_id=listed_id(item_id)),
        request_id=request_id)


@app.command()
def checkpoint(engagement: EngagementArgument, by: ByOption = None, note: NoteOption = None,
               request_id: RequestIdOption = None) -> None:
    """Record a checkpoint call held (Remediate)."""
    act(engagement, build(CheckpointHeld, by=actor(by), note=note),
        request_id=request_id)


@app.command()
def verify(
    engagement: EngagementArgument,
    approve: Annotated[bool, typer.Option("--approve", help="The joint verification passed.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="It did not: name the items to reopen.")] = False,
    reopen: Annotated[list[str] | None, typer.Option(metavar="ITEM", help="Item to reopen (repeat).")] = None,
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Record the joint verification of the remediation: --approve, or --reject --reopen ITEM …"""
    if approve == reject:
        errors.print("[red]Say --approve or --reject (one of them).[/red]")
        raise typer.Exit(2)
    act(engagement, build(VerificationResult, by=actor(by), note=note, approved=approve,
              reopen_item_ids=[listed_id(item) for item in reopen or []]),
        request_id=request_id)


@app.command("task-done")
def task_done(
    engagement: EngagementArgument,
    task_id: Annotated[str, typer.Argument(metavar="TASK", help="Task id (see `fasttrack status`).")],
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Record one Enable task as done (core capabilities first, then Intune)."""
    act(engagement, build(TaskDone, by=actor(by), note=note, task_id=listed_id(task_id)),
        request_id=request_id)


@app.command()
def device(
    engagement: EngagementArgument,
    platform: Annotated[MdmPlatform, typer.Option(help="MDM platform.")],
    name: Annotated[str, typer.Option(help="Device name.")],
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Record a test device enrolled (Enable — Intune; at most 2 per platform)."""
    act(engagement, build(DeviceEnrolled, by=actor(by), note=note, platform=platform, device_name=name),
        request_id=request_id)


@app.command("app")
def select_app(
    engagement: EngagementArgument,
    platform: Annotated[MdmPlatform, typer.Option(help="MDM platform.")],
    name: Annotated[str, typer.Option(help="App name.")],
    link_type: Annotated[LinkType, typer.Option(help="web_link or deep_link.")],
    link: Annotated[str, typer.Option(help="The app's link.")],
    by: ByOption = None,
    note: NoteOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Record an app selected for deployment (Enable — Intune; at most 2 per platform)."""
    act(engagement, build(AppSelected, by=actor(by), note=note, platform=platform, app_name=name, link_type=link_type,
                          link=link),
        request_id=request_id)


@app.command()
def withdraw(
    engagement: EngagementArgument,
    reason: Annotated[str, typer.Option(help="Why the customer withdraws.")],
    by: ByOption = None,
    request_id: RequestIdOption = None,
) -> None:
    """Close the engagement as withdrawn, with a reason."""
    act(engagement, build(Withdrawal, by=actor(by), reason=reason), request_id=request_id)
