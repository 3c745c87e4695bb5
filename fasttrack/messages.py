"""The words of each message, from a notification's kind and facts (English for now)."""

from fasttrack.models import Notification, NotificationKind

_SUBJECTS = {
    NotificationKind.OUTREACH: "FastTrack for Intune: let's plan your onboarding",
    NotificationKind.CONTACT_ESCALATION: "Escalation: contact window missed for tenant {tenant_id}",
    NotificationKind.REMEDIATION_CHECKLIST: "Your remediation checklist ({item_count} item(s))",
    NotificationKind.CHECKPOINT_CALL: "FastTrack checkpoint call",
    NotificationKind.REMEDIATION_STALLED: "Remediation has not progressed since {since}",
    NotificationKind.VERIFICATION_REJECTED: "Verification: some items need more work",
    NotificationKind.ENGAGEMENT_CLOSED: "Your FastTrack engagement is {outcome}",
}

_OPENINGS = {
    NotificationKind.OUTREACH: (
        "Your organization is eligible for the FastTrack Center benefit for Intune. "
        "Please reply to arrange a first call before {contact_deadline}, or request assistance "
        "from the FastTrack portal (Offers tab, Request assistance)."
    ),
    NotificationKind.CONTACT_ESCALATION: (
        "FastTrack could not reach tenant {tenant_id} within the contact window "
        "after {outreach_attempts} attempt(s). Outreach continues at a slower cadence."
    ),
    NotificationKind.REMEDIATION_CHECKLIST: "Here is the remediation checklist from your assessment:",
    NotificationKind.CHECKPOINT_CALL: "Your next checkpoint call is due. Items still open:",
    NotificationKind.REMEDIATION_STALLED: "No remediation item has been completed since {since}. Items still open:",
    NotificationKind.VERIFICATION_REJECTED: "The joint verification reopened these items:",
    NotificationKind.ENGAGEMENT_CLOSED: "Your FastTrack engagement for Intune is {outcome}.",
}


class _Facts(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def render(notification: Notification) -> tuple[str, str]:
    """Subject and plain-text body."""
    facts = _Facts(notification.facts)
    subject = _SUBJECTS[notification.kind].format_map(facts)
    body = [_OPENINGS[notification.kind].format_map(facts), ""]
    body += [f"- {line}" for line in notification.lines]
    body += ["", "-- FastTrack Center for Intune"]
    return subject, "\n".join(body) + "\n"
