"""The engagement's state (carried across continue-as-new) and its result.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fasttrack.base import StrictModel
from fasttrack.models.common import Phase, Phrase, Service
from fasttrack.models.outbox import Notification, NotificationKind, ScheduledCall
from fasttrack.models.purchase import Purchase
from fasttrack.models.scope import Scope, SourceEnvironment
from fasttrack.models.work import ChecklistItem, EnableTask, EnrolledDevice, RemediationPlan, SelectedApp
from fasttrack.policy import BenefitPolicy


class TimelineEvent(StrictModel):
    at: datetime
    what: str
    by: str
    detail: str = ""


class Reminder(StrictModel):
    at: datetime
    kind: str
    summary: str


class Outcome(StrictModel):
    status: Phase
    at: datetime
    reasons: list[str] = Field(default_factory=list)
    left: list[str] = Field(default_factory=list, description="What was still open at closing.")


class EngagementState(StrictModel):
    engagement_id: str
    tenant_id: str
    service: Service = Service.INTUNE
    purchase: Purchase
    additional_purchases: list[str] = Field(default_factory=list)
    language: str
    time_zone: str
    time_zone_assumed: bool = Field(False, description="True while no time zone was given: UTC is used.")
    phase: Phase = Phase.ELIGIBILITY
    phase_since: datetime

    contact_deadline: datetime
    onboarding_started_at: datetime | None = None
    onboarding_deadline: datetime
    contact_made_at: datetime | None = None
    assistance_requested_at: datetime | None = None
    outreach_attempts: int = 0
    next_outreach_at: datetime | None = None
    contact_sla_breached: bool = False
    escalations: int = 0

    kickoff_call: ScheduledCall | None = None
    deadline_warning_for: datetime | None = None
    scope: Scope | None = None
    scope_notes: list[Phrase] = Field(default_factory=list)
    environment: SourceEnvironment | None = None
    checklist: list[ChecklistItem] = Field(default_factory=list)
    plan: RemediationPlan | None = None
    checkpoint_calls_scheduled: int = 0
    next_checkpoint: ScheduledCall | None = None
    checkpoints_held: int = 0
    last_remediation_progress_at: datetime | None = None
    remediation_stalled: bool = False
    stall_reminders_sent: int = 0
    stall_reminders_sent_since_progress: int = 0
    verification_rejections: int = 0
    remediation_verified_at: datetime | None = None

    tasks: list[EnableTask] = Field(default_factory=list)
    test_devices: list[EnrolledDevice] = Field(default_factory=list)
    apps: list[SelectedApp] = Field(default_factory=list)

    scheduled_messages: list[Notification] = Field(default_factory=list)
    messages_sent: int = 0
    delivery_failures: list[str] = Field(default_factory=list)
    messages_delayed_since: datetime | None = Field(
        None, description="Since when a message due has not been sent (a mail server down): a risk."
    )
    record_too_large_since: datetime | None = Field(
        None, description="Since when the state has been too large to carry into a fresh history: a risk."
    )
    message_delivery_id: str | None = Field(
        None, description="The workflow that delivers the messages still due when the engagement closed."
    )
    signal_requests: list[str] = Field(
        default_factory=list, description="<signal>:<request id> of the latest signalled actions: each applied once."
    )
    signals_refused: int = Field(0, description="Signalled actions refused (each on the timeline): a risk.")
    timeline: list[TimelineEvent] = Field(default_factory=list)
    timeline_folded: int = Field(0, description="Routine timeline entries folded away to keep the record small.")
    next_reminder: Reminder | None = None
    outcome: Outcome | None = None

    @property
    def outreach_waiting(self) -> int:
        """Outreach messages counted as attempts that still wait for the customer's business hours."""
        return sum(1 for message in self.scheduled_messages if message.kind is NotificationKind.OUTREACH)

    @property
    def outreach_sent(self) -> int:
        return self.outreach_attempts - self.outreach_waiting


class EngagementResult(StrictModel):
    engagement_id: str
    outcome: Outcome
    timeline: list[TimelineEvent]
    message_delivery_id: str | None = Field(
        None, description="The workflow that delivers the messages still due at closing, if any were."
    )


class EngagementInput(StrictModel):
    purchase: Purchase
    policy: BenefitPolicy = Field(default_factory=BenefitPolicy)
    resume: EngagementState | None = Field(
        None, description="The state carried over when a long engagement continues as a new run."
    )
