"""Names other systems and recorded histories depend on, each defined once: the
task queue, workflow ids, error types, and the timeline's event names."""

from __future__ import annotations

from enum import StrEnum

TASK_QUEUE = "fasttrack-intune"
ENGAGEMENT_ID_PREFIX = "fasttrack-intune-"


def engagement_id_for(tenant_id: str) -> str:
    """One engagement per tenant for the Intune benefit (R4)."""
    return f"{ENGAGEMENT_ID_PREFIX}{tenant_id.strip().lower()}"


def message_delivery_id_for(engagement_id: str, first_run_id: str) -> str:
    """The workflow that delivers an engagement's last messages (one per closing)."""
    return f"{engagement_id}-messages-{first_run_id}"


class ErrorType(StrEnum):
    """``ApplicationError.type`` values, which callers and retry policies match on."""

    ACTION_REJECTED = "ActionRejected"
    TEMPLATE_MISSING = "TemplateMissing"
    INVALID_RECIPIENT = "InvalidRecipient"
    NO_RECIPIENT = "NoRecipient"
    COMPOSITION_FAILED = "CompositionFailed"
    REGISTER_REFUSED = "RegisterRefused"


class Event(StrEnum):
    """What a timeline entry of the orchestrator's own records (``TimelineEvent.what``);
    messages add ``<kind>_sent`` (``sent``) and calls ``<kind>_rescheduled``
    (``rescheduled``). What actions record is ``fasttrack.models.actions.ActionEvent``."""

    PURCHASE_RECORDED = "purchase_recorded"
    ADDITIONAL_PURCHASE = "additional_purchase"
    PURCHASE_REFUSED = "purchase_refused"
    EVENT_REFUSED = "event_refused"
    ELIGIBILITY_VERIFIED = "eligibility_verified"
    ELIGIBILITY_REJECTED = "eligibility_rejected"
    CONTACT_SLA_BREACHED = "contact_sla_breached"
    CHECKPOINT_CALL_DUE = "checkpoint_call_due"
    REMEDIATION_STALLED = "remediation_stalled"
    CORE_ENABLED = "core_enabled"
    INTUNE_ENABLED = "intune_enabled"
    DEADLINE_WARNING = "deadline_warning"
    EXPIRED = "expired"
    NOTIFICATION_FAILED = "notification_failed"
    MESSAGES_HANDED_OVER = "messages_handed_over"
    MESSAGES_DELAYED = "messages_delayed"
    MESSAGES_FLOWING = "messages_flowing"
    RECORD_TOO_LARGE = "record_too_large"
    RECORD_FITS = "record_fits"

    @staticmethod
    def sent(kind: str) -> str:
        return f"{kind}_sent"

    @staticmethod
    def rescheduled(call: str) -> str:
        return f"{call}_rescheduled"
