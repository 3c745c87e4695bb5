"""The engagement's data contracts, one module per kind of message.

| module | contract |
|---|---|
| text | field types: free text, names, ids, e-mail addresses, time zones |
| common | regions, goals, phases, phrases, people |
| purchase | inbound: the purchase event, the eligibility verdict |
| scope | the scope agreed at the kickoff, the source environment |
| work | checklist items, Enable tasks, devices, apps, the plan |
| actions | commands: the Workflow Updates' inputs and their receipt |
| outbox | outbound messages, their delivery, the hand-over at closing |
| state | the state carried across continue-as-new, the workflow's input and result |

Every model here is a wire contract. Its JSON shape is in the histories of
running engagements (inputs, results, update payloads, the state carried
across continue-as-new) and in tests/histories: renaming or removing a field,
or making one required, breaks engagements already running. Add optional
fields only, and record a new history folder when the workflow's commands change.
"""

from fasttrack.models.actions import (
    Action,
    ActionReceipt,
    AppSelected,
    AssistanceRequested,
    CallKind,
    CallRescheduled,
    CheckpointHeld,
    ContactMade,
    DeviceEnrolled,
    EnvironmentSubmitted,
    KickoffHeld,
    PlanAgreed,
    RemediationItemDone,
    TaskDone,
    VerificationResult,
    Withdrawal,
)
from fasttrack.models.common import (
    CLOSED_PHASES,
    Goal,
    IdentityModel,
    MdmAuthority,
    Person,
    Phase,
    Phrase,
    Region,
    Service,
)
from fasttrack.models.outbox import (
    Audience,
    DeliveryReceipt,
    MessageDelivery,
    MessageDeliveryResult,
    MessageOutcome,
    Notification,
    NotificationKind,
    ScheduledCall,
)
from fasttrack.models.purchase import (
    EligibilityVerdict,
    Purchase,
)
from fasttrack.models.register import RegisterClosing, RegisterProgress
from fasttrack.models.scope import (
    AdfsVersion,
    Browser,
    ClientOs,
    ClientPlatform,
    ConfigMgrVersion,
    DeclaredGap,
    Forest,
    ForestLevel,
    GapCategory,
    Scope,
    SourceEnvironment,
)
from fasttrack.models.state import (
    EngagementInput,
    EngagementResult,
    EngagementState,
    Outcome,
    Reminder,
    TimelineEvent,
)
from fasttrack.models.text import (
    EDGE,
    Email,
    ItemId,
    Name,
    TenantId,
    Text,
    TimeZone,
    VersionName,
)
from fasttrack.models.work import (
    ChecklistCategory,
    ChecklistItem,
    EnableTask,
    EnrolledDevice,
    ItemStatus,
    LinkType,
    Owner,
    RemediationPlan,
    SelectedApp,
    TaskNeeds,
    TaskStage,
)

EngagementInput.model_rebuild()

__all__ = [
    "EDGE",
    "Action",
    "ActionReceipt",
    "AdfsVersion",
    "AppSelected",
    "AssistanceRequested",
    "Audience",
    "Browser",
    "CLOSED_PHASES",
    "CallKind",
    "CallRescheduled",
    "ChecklistCategory",
    "ChecklistItem",
    "CheckpointHeld",
    "ClientOs",
    "ClientPlatform",
    "ConfigMgrVersion",
    "ContactMade",
    "DeclaredGap",
    "DeliveryReceipt",
    "DeviceEnrolled",
    "EligibilityVerdict",
    "Email",
    "EnableTask",
    "EngagementInput",
    "EngagementResult",
    "EngagementState",
    "RegisterClosing",
    "RegisterProgress",
    "EnrolledDevice",
    "EnvironmentSubmitted",
    "Forest",
    "ForestLevel",
    "GapCategory",
    "Goal",
    "IdentityModel",
    "ItemId",
    "ItemStatus",
    "KickoffHeld",
    "LinkType",
    "MdmAuthority",
    "MessageDelivery",
    "MessageDeliveryResult",
    "MessageOutcome",
    "Name",
    "Notification",
    "NotificationKind",
    "Outcome",
    "Owner",
    "Person",
    "Phase",
    "Phrase",
    "PlanAgreed",
    "Purchase",
    "Region",
    "RemediationItemDone",
    "RemediationPlan",
    "Reminder",
    "ScheduledCall",
    "Scope",
    "SelectedApp",
    "Service",
    "SourceEnvironment",
    "TaskDone",
    "TaskNeeds",
    "TaskStage",
    "TenantId",
    "Text",
    "TimeZone",
    "TimelineEvent",
    "VerificationResult",
    "VersionName",
    "Withdrawal",
]
