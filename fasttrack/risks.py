"""What puts an open engagement at risk: declared once, read by the UI's details,
`fasttrack status`, and the keyword list `FastTrackRisks` that `fasttrack list --at-risk`
queries as one indexed condition."""

from __future__ import annotations

from enum import StrEnum

from fasttrack.models import EngagementState


class Risk(StrEnum):
    # The values are a search attribute's words, in every engagement's history: never rename one.
    CONTACT_SLA_BREACHED = "contact-sla-breached"
    REMEDIATION_STALLED = "remediation-stalled"
    MESSAGES_DELAYED = "messages-delayed"
    RECORD_TOO_LARGE = "record-too-large"
    DEADLINE_NEAR = "deadline-near"
    SIGNALS_REFUSED = "signals-refused"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Risk.CONTACT_SLA_BREACHED: "contact SLA breached",
    Risk.REMEDIATION_STALLED: "remediation stalled",
    Risk.MESSAGES_DELAYED: "messages delayed",
    Risk.RECORD_TOO_LARGE: "record too large to carry over",
    Risk.DEADLINE_NEAR: "onboarding window ends soon",
    Risk.SIGNALS_REFUSED: "signals refused",
}


def risks(state: EngagementState, *, even_when_closed: bool = False) -> list[Risk]:
    """The risks raised now, in the order above; none once the engagement has closed,
    unless ``even_when_closed`` (what a closed engagement's record still says of it)."""
    if state.outcome is not None and not even_when_closed:
        return []
    raised = {
        Risk.CONTACT_SLA_BREACHED: state.contact_sla_breached,
        Risk.REMEDIATION_STALLED: state.remediation_stalled,
        Risk.MESSAGES_DELAYED: state.messages_delayed_since is not None,
        Risk.RECORD_TOO_LARGE: state.record_too_large_since is not None,
        # Raised when the manager was warned (the policy's deadline_warning_before, 30 days by default).
        Risk.DEADLINE_NEAR: state.outcome is None and state.deadline_warning_for is not None
        and state.deadline_warning_for == state.onboarding_deadline,
        Risk.SIGNALS_REFUSED: state.signals_refused > 0,
    }
    return [risk for risk in Risk if raised[risk]]
