"""The engagement's data: events coming in, state going out."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from fasttrack.base import StrictModel
from fasttrack.business_time import is_known_time_zone
from fasttrack.policy import BenefitPolicy, MdmPlatform, Plan

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_printable)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_printable)
]
def _time_zone(value: str) -> str:
    if not is_known_time_zone(value):
        raise ValueError(f"'{value}' is not an IANA time zone (for example Europe/Paris)")
    return value


TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_time_zone)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not an email address (name@domain.example)")
    return value


def _version_text(value: object) -> object:
    """YAML reads ``2008`` or ``2.0`` as numbers; versions are names here."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _not_a_number(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("must be an ISO 8601 date and time with its offset, such as 2026-11-26T09:00:00Z")
    return value


Email = Annotated[str, AfterValidator(_email)]
VersionName = BeforeValidator(_version_text)
TenantId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
]
ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Region(StrEnum):
    AMERICAS = "americas"
    EMEA = "emea"
    ASIA_PACIFIC = "asia_pacific"


class Service(StrEnum):
    INTUNE = "intune"
    AZURE_AD_PREMIUM = "azure_ad_premium"
    AZURE_RMS = "azure_rights_management"


class Goal(StrEnum):
    MDM = "mdm"
    MAM = "mam"
    PC_MANAGEMENT = "pc_management"


class IdentityModel(StrEnum):
    CLOUD = "cloud"
    SYNCHRONIZED = "synchronized"
    FEDERATED = "federated"


class MdmAuthority(StrEnum):
    INTUNE = "intune"
    CONFIGMGR = "configmgr"
    NONE = "none"


class Phase(StrEnum):
    ELIGIBILITY = "eligibility"
    INITIATE = "initiate"
    ASSESS = "assess"
    REMEDIATE = "remediate"
    ENABLE_CORE = "enable_core"
    ENABLE_INTUNE = "enable_intune"
    COMPLETED = "completed"
    INELIGIBLE = "ineligible"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_PHASES


CLOSED_PHASES = frozenset({Phase.COMPLETED, Phase.INELIGIBLE, Phase.EXPIRED, Phase.WITHDRAWN})


class Phrase(StrictModel):
    """Words for a person. ``text`` is the English that operators read; ``key``
    (a catalog entry, e.g. ``items.browser``) and ``values`` let a message say
    the same in the customer's language. A phrase without a key is the
    customer's or an operator's own words, shown as written."""

    text: str
    key: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    ref: str | None = Field(None, description="An item or task id, shown as [ref].")
    label_key: str | None = Field(None, description="A catalog label shown before it, e.g. phases.remediate.")
    label: str | None = None

    def english(self) -> str:
        reference = f"[{self.ref}] " if self.ref else ""
        prefix = f"{self.label}: " if self.label else ""
        return f"{prefix}{reference}{self.text}"


class Person(StrictModel):
    name: Name
    email: Email


# ---------------------------------------------------------------- purchase


class Purchase(StrictModel):
    """A license purchase as commerce reports it."""

    order_id: Name
    tenant_id: TenantId
    organization: Name | None = None
    plan: Plan
    licenses: StrictInt = Field(ge=1, le=10_000_000)
    new_subscription: StrictBool
    purchased_at: Annotated[AwareDatetime, BeforeValidator(_not_a_number)] = Field(
        description="ISO 8601 with its offset; from 2015 (when the benefit began) to 2100."
    )
    customer_contact: Person
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    region: Region
    preferred_language: Annotated[str, StringConstraints(max_length=35)] | None = None
    time_zone: TimeZone | None = Field(None, description="IANA time zone; needed when the country has several.")

    @field_validator("purchased_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        if not (datetime(2015, 1, 1, tzinfo=value.tzinfo) <= value < datetime(2100, 1, 1, tzinfo=value.tzinfo)):
            raise ValueError("must fall between 2015 (when the benefit began) and 2100")
        return value.astimezone(timezone.utc)  # every deadline derived from it reads in UTC


class EngagementInput(StrictModel):
    purchase: Purchase
    policy: BenefitPolicy = Field(default_factory=BenefitPolicy)
    resume: EngagementState | None = Field(
        None, description="The state carried over when a long engagement continues as a new run."
    )


class EligibilityVerdict(StrictModel):
    eligible: bool
    reasons: list[Phrase] = Field(default_factory=list)


# ---------------------------------------------------------------- scope and environment


class Scope(StrictModel):
    services: list[Service] = Field(default_factory=lambda: [Service.INTUNE], min_length=1)
    goals: list[Goal] = Field(min_length=1)
    hybrid_configmgr: bool = False
    identity_model: IdentityModel
    mdm_authority: MdmAuthority
    language: Annotated[str, StringConstraints(max_length=35)]
    project_manager: Person
    stakeholders: list[Person] = Field(default_factory=list, max_length=50)
    exchange_on_premises: bool = False
    time_zone: TimeZone | None = Field(None, description="The customer's time zone for calls and messages.")


class ForestLevel(StrEnum):
    WS2000 = "2000"
    WS2003 = "2003"
    WS2008 = "2008"
    WS2008_R2 = "2008 R2"
    WS2012 = "2012"
    WS2012_R2 = "2012 R2"
    WS2016 = "2016"


class ConfigMgrVersion(StrEnum):
    CM2007 = "2007"
    CM2012 = "2012"
    CM2012_SP1 = "2012 SP1"
    CM2012_R2 = "2012 R2"
    CM2012_R2_SP1 = "2012 R2 SP1"
    CURRENT_BRANCH = "current branch"


class AdfsVersion(StrEnum):
    V1_1 = "1.1"
    V2_0 = "2.0"
    V2_1 = "2.1"
    V3_0 = "3.0"


class Forest(StrictModel):
    name: Name
    functional_level: Annotated[ForestLevel, VersionName]


class Browser(StrictModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)]
    version: Annotated[str, VersionName, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]


ClientPlatform = MdmPlatform | Literal["windows_pc"]


class ClientOs(StrictModel):
    platform: ClientPlatform
    version: Annotated[str, VersionName, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]


class GapCategory(StrEnum):
    DNS = "dns"
    NETWORK = "network"
    INFRASTRUCTURE = "infrastructure"
    IDENTITY = "identity"


class DeclaredGap(StrictModel):
    category: GapCategory
    description: Text


class SourceEnvironment(StrictModel):
    forests: list[Forest] = Field(default_factory=list, max_length=50)
    configmgr_version: Annotated[ConfigMgrVersion, VersionName] | None = None
    adfs_version: Annotated[AdfsVersion, VersionName] | None = None
    browsers: list[Browser] = Field(default_factory=list, max_length=100)
    client_os: list[ClientOs] = Field(default_factory=list, max_length=100)
    gaps: list[DeclaredGap] = Field(default_factory=list, max_length=200)
    custom_sync_rules: bool = False


# ---------------------------------------------------------------- work items


class ChecklistCategory(StrEnum):
    BROWSER = "browser"
    CLIENT_OS = "client_os"
    DNS = "dns"
    NETWORK = "network"
    INFRASTRUCTURE = "infrastructure"
    IDENTITY = "identity"


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Owner(StrEnum):
    FASTTRACK = "fasttrack"
    CUSTOMER = "customer"
    JOINT = "joint"


class ChecklistItem(StrictModel):
    id: str
    category: ChecklistCategory
    description: str
    owner: Owner = Owner.CUSTOMER
    phrase: Phrase | None = Field(None, description="The description for the customer's language.")
    status: ItemStatus = ItemStatus.OPEN
    done_at: datetime | None = None
    done_by: str | None = None
    times_reopened: int = 0
    verified: bool = False


class TaskStage(StrEnum):
    CORE = "core"
    INTUNE = "intune"


class TaskNeeds(StrEnum):
    TEST_DEVICE = "test_device"
    APP = "app"


class EnableTask(StrictModel):
    id: str
    stage: TaskStage
    title: str
    owner: Owner
    text_key: str = Field(description="The title's catalog entry (tasks.<text_key>).")
    needs: TaskNeeds | None = None
    status: ItemStatus = ItemStatus.OPEN
    done_at: datetime | None = None
    done_by: str | None = None


class LinkType(StrEnum):
    WEB_LINK = "web_link"
    DEEP_LINK = "deep_link"


class EnrolledDevice(StrictModel):
    platform: MdmPlatform
    name: str
    enrolled_at: datetime
    enrolled_by: str


class SelectedApp(StrictModel):
    platform: MdmPlatform
    name: str
    link_type: LinkType
    link: str
    selected_at: datetime
    selected_by: str


class RemediationPlan(StrictModel):
    checkpoint_cadence: str
    target_date: date
    agreed_at: datetime
    agreed_by: str


# ---------------------------------------------------------------- actions (Workflow Update inputs)


class Action(StrictModel):
    by: Name = Field(description="Who did it: a person's name or a system's name.")
    note: Text | None = None


class ContactMade(Action):
    pass


class AssistanceRequested(Action):
    pass


class KickoffHeld(Action):
    scope: Scope


class EnvironmentSubmitted(Action):
    environment: SourceEnvironment


class PlanAgreed(Action):
    checkpoint_cadence: Annotated[str, StringConstraints(max_length=40)] | None = None
    target_date: date


class RemediationItemDone(Action):
    item_id: ItemId


class CheckpointHeld(Action):
    pass


class VerificationResult(Action):
    approved: bool
    reopen_item_ids: list[ItemId] = Field(default_factory=list, max_length=200)


class TaskDone(Action):
    task_id: ItemId


class DeviceEnrolled(Action):
    platform: MdmPlatform
    device_name: Name


class AppSelected(Action):
    platform: MdmPlatform
    app_name: Name
    link_type: LinkType
    link: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Withdrawal(Action):
    reason: Text


class CallKind(StrEnum):
    KICKOFF = "kickoff"
    CHECKPOINT = "checkpoint"


class CallRescheduled(Action):
    call: CallKind
    start: AwareDatetime


class ActionReceipt(StrictModel):
    engagement_id: str
    phase: Phase
    message: str


# ---------------------------------------------------------------- notifications


class Audience(StrEnum):
    CUSTOMER = "customer"
    FASTTRACK_MANAGER = "fasttrack_manager"


class NotificationKind(StrEnum):
    OUTREACH = "outreach"
    CONTACT_ESCALATION = "contact_escalation"
    KICKOFF_INVITATION = "kickoff_invitation"
    KICKOFF_SUMMARY = "kickoff_summary"
    REMEDIATION_CHECKLIST = "remediation_checklist"
    CHECKPOINT_INVITATION = "checkpoint_invitation"
    CALL_CANCELLED = "call_cancelled"
    REMEDIATION_STALLED = "remediation_stalled"
    STALL_ESCALATION = "stall_escalation"
    VERIFICATION_REJECTED = "verification_rejected"
    DEADLINE_ESCALATION = "deadline_escalation"
    ENGAGEMENT_CLOSED = "engagement_closed"


class ScheduledCall(StrictModel):
    """A call proposed to the customer; its invitation keeps one UID, and each
    change is sent again with the next SEQUENCE."""

    kind: CallKind
    number: int = 1
    uid: str
    start: datetime
    end: datetime
    sequence: int = 0
    cancelled: bool = False
    invitation_sent: bool = False


class Notification(StrictModel):
    engagement_id: str
    kind: NotificationKind
    key: str = Field(description="Stable per engagement and purpose: the idempotency key of the message.")
    audience: Audience
    to: list[str] = Field(default_factory=list)
    recipient_name: str | None = None
    language: str
    time_zone: str
    country: str
    send_at: datetime = Field(description="Customer-facing messages wait for the customer's business hours.")
    summary: str
    facts: dict[str, str] = Field(default_factory=dict)
    moments: dict[str, datetime] = Field(
        default_factory=dict, description="Dates shown in the customer's locale and time zone."
    )
    lines: list[Phrase] = Field(default_factory=list)
    call: ScheduledCall | None = None
    attachment_markdown: str | None = None


class DeliveryReceipt(StrictModel):
    key: str
    message_id: str
    recipients: list[str]
    already_delivered: bool


class MessageDelivery(StrictModel):
    """The messages an engagement still had to send when it closed, handed to a
    workflow of their own so that the engagement's run completes at once."""

    engagement_id: str
    closed_as: Phase
    messages: list[Notification]


class MessageOutcome(StrictModel):
    key: str
    kind: NotificationKind
    summary: str
    audience: Audience
    send_at: datetime
    sent_at: datetime | None = None
    failure: str | None = None

    def progress(self) -> str:
        if self.sent_at is not None:
            return f"sent {self.sent_at:%Y-%m-%d %H:%M} UTC"
        if self.failure is not None:
            return f"not delivered: {self.failure}"
        return f"waiting for {self.send_at:%Y-%m-%d %H:%M} UTC"


class MessageDeliveryResult(StrictModel):
    engagement_id: str
    messages: list[MessageOutcome]


# ---------------------------------------------------------------- state


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
    message_delivery_id: str | None = Field(
        None, description="The workflow that delivers the messages still due when the engagement closed."
    )
    timeline: list[TimelineEvent] = Field(default_factory=list)
    next_reminder: Reminder | None = None
    outcome: Outcome | None = None


class EngagementResult(StrictModel):
    engagement_id: str
    outcome: Outcome
    timeline: list[TimelineEvent]
    message_delivery_id: str | None = Field(
        None, description="The workflow that delivers the messages still due at closing, if any were."
    )


EngagementInput.model_rebuild()
