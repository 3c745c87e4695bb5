"""What the Temporal UI shows as an engagement's current details (Markdown).
Presentation only: it decides nothing."""

from __future__ import annotations

from datetime import datetime

from fasttrack.models import EngagementState, Reminder
from fasttrack.risks import Risk, risks


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def details_markdown(state: EngagementState, open_work: list[str], reminder: Reminder | None) -> str:
    """Where the engagement stands: phase, outcome or deadline, risks, open work, what comes next."""
    lines = [f"**Phase:** {state.phase.value} since {_day(state.phase_since)}"]
    if state.outcome is not None:
        lines.append(f"**Outcome:** {state.outcome.status.value}")
        lines += [f"- {reason}" for reason in state.outcome.reasons]
        lines += [f"- left open: {item}" for item in state.outcome.left]
        if state.message_delivery_id is not None:
            lines.append(f"**Messages still to send:** delivered by workflow `{state.message_delivery_id}`")
        return "\n".join(lines)
    lines.append(f"**Onboarding window ends:** {_day(state.onboarding_deadline)}")
    flags = [
        f"{state.signals_refused} signal(s) refused (see the timeline)" if risk is Risk.SIGNALS_REFUSED else risk.label
        for risk in risks(state)
    ]
    if flags:
        lines.append(f"**Risk:** {', '.join(flags)}")
    if open_work:
        lines.append("**Open:**")
        lines += [f"- {item}" for item in open_work[:15]]
        if len(open_work) > 15:
            lines.append(f"- … and {len(open_work) - 15} more")
    if reminder is not None:
        lines.append(f"**Next:** {reminder.summary} ({reminder.at.strftime('%Y-%m-%d %H:%M')} UTC)")
    return "\n".join(lines)
