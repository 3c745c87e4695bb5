"""Rich renderings of an engagement for the terminal."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from cli.terminal import visible
from engagement_client.listing import EngagementRow
from fasttrack.business_time import local_time, zone
from fasttrack.models import EngagementState, ItemStatus, MessageDeliveryResult, TaskNeeds
from fasttrack.risks import Risk, risks

RISK_STYLE = "bold red"


def Text(value: str = "", style: str | None = None) -> RichText:  # noqa: N802  (rich's name, made safe)
    """Rich text of something a person or another system wrote, escaped for the terminal."""
    return RichText(visible(value), style=style or "")


def _local(moment: datetime, time_zone: str) -> str:
    """For a column whose heading names the zone."""
    return f"{moment.astimezone(zone(time_zone)):%Y-%m-%d %H:%M}"


def _when(moment: datetime | None, time_zone: str) -> str:
    """In the engagement's time zone, named: as the customer and the invitations say it."""
    return local_time(moment, time_zone) if moment else "—"


def _days_until(moment: datetime, now: datetime) -> str:
    days = int((moment - now).total_seconds() // 86400)
    return f"in {days} d" if days >= 0 else f"{-days} d ago"


def status(state: EngagementState, delivery: MessageDeliveryResult | None = None, now: datetime | None = None,
           page_opened: datetime | None | Exception = None) -> Group:
    """``page_opened``: when the customer last opened their page, or why it is not known."""
    now = now or datetime.now(timezone.utc)
    purchase, tz = state.purchase, state.time_zone
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    header.add_row("Engagement", state.engagement_id)
    header.add_row(
        "Customer", Text(f"{purchase.organization or '—'} (tenant {state.tenant_id}, {purchase.region.value})")
    )
    header.add_row("Language, time zone", f"{state.language}, {state.time_zone}"
                   + (" (assumed: set it at the kickoff)" if state.time_zone_assumed else ""))
    header.add_row("Purchase", Text(f"{purchase.licenses} × {purchase.plan.value}, order {purchase.order_id}"))
    if state.additional_purchases:
        header.add_row("Also purchased", Text(", ".join(f"order {order}" for order in state.additional_purchases)))
    header.add_row("Phase", f"[bold]{state.phase.value}[/bold] since {_when(state.phase_since, tz)}")
    if state.outcome is not None:
        outcome = state.outcome
        header.add_row("Outcome", f"[bold]{outcome.status.value}[/bold] on {_when(outcome.at, tz)}")
        for reason in outcome.reasons:
            header.add_row("", Text(reason))
    else:
        if state.contact_made_at is None:
            header.add_row("Contact window",
                           f"ends {_when(state.contact_deadline, tz)} ({_days_until(state.contact_deadline, now)})")
        header.add_row(
            "Onboarding window",
            f"ends {_when(state.onboarding_deadline, tz)} ({_days_until(state.onboarding_deadline, now)})",
        )
        if state.next_reminder is not None:
            header.add_row("Next reminder", f"{state.next_reminder.summary} — {_when(state.next_reminder.at, tz)}")
    detailed = {
        Risk.MESSAGES_DELAYED: f"messages not sent since {_when(state.messages_delayed_since, tz)} (mail server?)",
        Risk.RECORD_TOO_LARGE: f"record too large to carry over since {_when(state.record_too_large_since, tz)}",
        Risk.SIGNALS_REFUSED: f"{state.signals_refused} signal(s) refused (see the timeline)",
    }
    flags = [detailed.get(risk, risk.label) for risk in risks(state, even_when_closed=True)]
    if state.delivery_failures:
        flags.append(f"{len(state.delivery_failures)} message(s) not delivered")
    header.add_row("Risk", Text(", ".join(flags), style=RISK_STYLE) if flags else Text("none", style="green"))
    header.add_row(
        "Contact",
        f"made {_when(state.contact_made_at, tz)} · "
        f"assistance requested {_when(state.assistance_requested_at, tz)} · "
        f"{state.outreach_sent} outreach attempt(s) sent"
        + (f", {state.outreach_waiting} waiting for business hours" if state.outreach_waiting else ""),
    )
    header.add_row("Customer page", "unknown: the benefit register cannot be reached"
                   if isinstance(page_opened, Exception) else
                   f"last opened {_when(page_opened, tz)}" if page_opened else "never opened")
    parts: list = [Panel(header, title="FastTrack engagement for Intune", expand=False)]
    if state.scope is not None:
        scope = state.scope
        parts.append(
            Text(
                f"Scope: {', '.join(goal.value for goal in scope.goals)} · identity {scope.identity_model.value} · "
                f"MDM authority {scope.mdm_authority.value} · {scope.language} · PM {scope.project_manager.name}"
            )
        )
    for note in state.scope_notes:
        parts.append(Text(f"Scope note: {note.text}", style="yellow"))
    if state.checklist:
        parts.append(checklist_table(state))
    if state.tasks:
        parts.append(task_table(state))
    if state.test_devices or state.apps:
        gear = Table(title="Test devices and apps", title_justify="left")
        gear.add_column("kind")
        gear.add_column("platform")
        gear.add_column("name")
        gear.add_column("detail")
        for device in state.test_devices:
            gear.add_row("device", device.platform.value, Text(device.name),
                         f"enrolled {_when(device.enrolled_at, tz)}")
        for app in state.apps:
            gear.add_row("app", app.platform.value, Text(app.name), Text(f"{app.link_type.value}: {app.link}"))
        parts.append(gear)
    if state.outcome is not None and state.outcome.left:
        parts.append(Text("Left open at closing:\n" + "\n".join(f"  • {item}" for item in state.outcome.left)))
    if state.scheduled_messages:
        waiting = "\n".join(f"  • {m.summary} — {_when(m.send_at, tz)}" for m in state.scheduled_messages)
        parts.append(Text("Messages waiting for business hours:\n" + waiting))
    if state.message_delivery_id is not None:
        parts.append(message_delivery(state.message_delivery_id, delivery))
    for call in (state.kickoff_call, state.next_checkpoint):
        if call is not None and not call.cancelled and not state.phase.is_closed:
            label = "Kickoff call" if call.kind.value == "kickoff" else f"Checkpoint call {call.number}"
            parts.append(Text(f"{label}: {_when(call.start, tz)} (invitation version {call.sequence})"))
    return Group(*parts)


def message_delivery(delivery_id: str, delivery: MessageDeliveryResult | None) -> RichText:
    """The messages still due at closing, delivered by a workflow of their own."""
    heading = f"Messages after closing (workflow {delivery_id}):"
    if delivery is None:
        return Text(f"{heading}\n  (not readable now; see that workflow in the Temporal UI)")
    lines = [f"  • {message.summary} — {message.progress()}" for message in delivery.messages]
    return Text("\n".join([heading, *lines]))


def checklist_table(state: EngagementState) -> Table:
    open_count = sum(1 for item in state.checklist if item.status is ItemStatus.OPEN)
    table = Table(title=f"Remediation checklist ({open_count} open)", title_justify="left")
    table.add_column("item")
    table.add_column("category")
    table.add_column("description")
    table.add_column("owner")
    table.add_column("status")
    for item in state.checklist:
        status = "verified" if item.verified else item.status.value
        style = "green" if item.status is ItemStatus.DONE else None
        table.add_row(
            Text(item.id), item.category.value, Text(item.description), item.owner.value, Text(status, style=style)
        )
    if not state.checklist:
        table.add_row("—", "", "No remediation needed: next is the joint verification.", "", "")
    return table


def task_table(state: EngagementState) -> Table:
    done = sum(1 for task in state.tasks if task.status is ItemStatus.DONE)
    table = Table(title=f"Enable tasks ({done}/{len(state.tasks)} done)", title_justify="left")
    table.add_column("task")
    table.add_column("stage")
    table.add_column("title")
    table.add_column("owner")
    table.add_column("status")
    for task in state.tasks:
        style = "green" if task.status is ItemStatus.DONE else None
        needs = ""
        if task.status is ItemStatus.OPEN and task.needs is TaskNeeds.TEST_DEVICE and not state.test_devices:
            needs = " (enroll a test device first: fasttrack device)"
        if task.status is ItemStatus.OPEN and task.needs is TaskNeeds.APP and not state.apps:
            needs = " (select an app first: fasttrack app)"
        table.add_row(
            Text(task.id), task.stage.value, Text(task.title + needs), task.owner.value,
            Text(task.status.value, style=style),
        )
    return table


def timeline_table(state: EngagementState) -> Table:
    table = Table(title=f"Timeline of {state.engagement_id}", title_justify="left")
    table.add_column(f"when ({state.time_zone})", no_wrap=True)
    table.add_column("what")
    table.add_column("by")
    table.add_column("detail")
    for event in state.timeline:
        table.add_row(_local(event.at, state.time_zone), event.what, Text(event.by), Text(event.detail))
    return table


def _checklist(row: EngagementRow) -> str:
    """Open or done; for engagements started before the count became a flag, the count of open items."""
    if row.open_remediation_items is not None:
        return str(row.open_remediation_items)
    return row.remediation_items or "—"


def engagement_table(rows: list[EngagementRow]) -> Table:
    table = Table(title=f"{len(rows)} engagement(s)", title_justify="left")
    table.add_column("organization")
    table.add_column("tenant (engagement fasttrack-intune-<tenant>)", no_wrap=True)
    table.add_column("region")
    table.add_column("phase")
    table.add_column("days in phase", justify="right")
    table.add_column("days to deadline", justify="right")
    table.add_column("checklist", justify="right")
    table.add_column("risk")
    for row in rows:
        table.add_row(
            Text(row.organization or "—"),
            row.tenant_id,
            row.region or "—",
            row.phase if row.status in ("running", "completed") else f"{row.phase} ({row.status})",
            "—" if row.days_in_phase is None else str(row.days_in_phase),
            "—" if row.days_to_deadline is None else str(row.days_to_deadline),
            _checklist(row),
            Text(", ".join(row.risks), style=RISK_STYLE),
        )
    return table
