"""The engagement report, in Markdown, from its state alone."""

from __future__ import annotations

from datetime import datetime

from fasttrack.models import EngagementState, ItemStatus


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def engagement_report(state: EngagementState) -> str:
    purchase = state.purchase
    title = purchase.organization or f"tenant {state.tenant_id}"
    lines = [
        f"# FastTrack engagement for Intune — {title}",
        "",
        f"- **Engagement:** `{state.engagement_id}`",
        f"- **Tenant:** `{state.tenant_id}` ({purchase.country}, {purchase.region.value})",
        f"- **Purchase:** order {purchase.order_id}, {purchase.licenses} × {purchase.plan.value}, "
        f"{_when(purchase.purchased_at)}",
        f"- **Phase:** {state.phase.value} since {_when(state.phase_since)}",
        f"- **Onboarding window:** started {_when(state.onboarding_started_at)}, ends "
        f"{_when(state.onboarding_deadline)}",
        f"- **Contact:** made {_when(state.contact_made_at)}; assistance requested "
        f"{_when(state.assistance_requested_at)}; {state.outreach_sent} outreach attempt(s)"
        f"{'; contact SLA breached' if state.contact_sla_breached else ''}",
    ]
    if state.outcome is not None:
        lines += ["", "## Outcome", "", f"**{state.outcome.status.value}** on {_when(state.outcome.at)}"]
        lines += [f"- {reason}" for reason in state.outcome.reasons]
        if state.outcome.left:
            lines += ["", "Left open:"] + [f"- {item}" for item in state.outcome.left]

    lines += ["", "## Scope", ""]
    if state.scope is None:
        lines.append("Not agreed yet (the kickoff has not been held).")
    else:
        scope = state.scope
        lines += [
            f"- **Goals:** {', '.join(goal.value for goal in scope.goals)}",
            f"- **Identity model:** {scope.identity_model.value}",
            f"- **MDM authority:** {scope.mdm_authority.value}"
            f"{' (hybrid with Configuration Manager)' if scope.hybrid_configmgr else ''}",
            f"- **Language:** {scope.language}",
            f"- **Project manager:** {scope.project_manager.name}",
        ]
    if state.scope_notes:
        lines += ["", "### Scope notes", ""] + [f"- {note.text}" for note in state.scope_notes]

    lines += ["", "## Remediation checklist", ""]
    if not state.checklist:
        lines.append("No remediation needed." if state.environment else "Not assessed yet.")
    else:
        lines += ["| item | category | status | done | reopened |", "|---|---|---|---|---|"]
        for item in state.checklist:
            status = "verified" if item.verified else item.status.value
            lines.append(
                f"| {item.id}: {_cell(item.description)} | {item.category.value} | {status} | "
                f"{_when(item.done_at)} | {item.times_reopened} |"
            )

    lines += ["", "## Enable tasks", ""]
    if not state.tasks:
        lines.append("Not started.")
    else:
        lines += ["| task | stage | owner | status | done |", "|---|---|---|---|---|"]
        for task in state.tasks:
            lines.append(
                f"| {task.id}: {_cell(task.title)} | {task.stage.value} | {task.owner.value} | "
                f"{task.status.value} | {_when(task.done_at)} |"
            )
    if state.test_devices or state.apps:
        lines += ["", "### Test devices and apps", ""]
        lines += [f"- Device **{d.name}** ({d.platform.value}), {_when(d.enrolled_at)}" for d in state.test_devices]
        lines += [f"- App **{a.name}** ({a.platform.value}, {a.link_type.value}): {a.link}" for a in state.apps]

    lines += ["", "## Timeline", "", "| when | what | by | detail |", "|---|---|---|---|"]
    for event in state.timeline:
        lines.append(f"| {_when(event.at)} | {event.what} | {_cell(event.by)} | {_cell(event.detail)} |")
    open_items = sum(1 for item in state.checklist if item.status is ItemStatus.OPEN)
    lines += ["", f"_{open_items} open remediation item(s); {len(state.timeline)} recorded event(s)._", ""]
    return "\n".join(lines)
