"""Search attributes an engagement publishes: no personal data, only what lets an
operator find engagements by phase, deadline and risk."""

from datetime import datetime, timezone

from temporalio.common import SearchAttributeKey

PHASE = SearchAttributeKey.for_keyword("FastTrackPhase")
PHASE_SINCE = SearchAttributeKey.for_datetime("FastTrackPhaseSince")
TENANT_ID = SearchAttributeKey.for_keyword("FastTrackTenantId")
REGION = SearchAttributeKey.for_keyword("FastTrackRegion")
ONBOARDING_DEADLINE = SearchAttributeKey.for_datetime("FastTrackOnboardingDeadline")
CONTACT_SLA_BREACHED = SearchAttributeKey.for_bool("FastTrackContactSlaBreached")
REMEDIATION_STALLED = SearchAttributeKey.for_bool("FastTrackRemediationStalled")
# Published by engagements started before release 16 only: a count that moved with
# every item completed, and upserted each time. Newer runs publish REMEDIATION_ITEMS.
OPEN_REMEDIATION_ITEMS = SearchAttributeKey.for_int("FastTrackOpenRemediationItems")
# "open" while checklist items are open, "done" when none is; absent before the plan.
REMEDIATION_ITEMS = SearchAttributeKey.for_keyword("FastTrackRemediationItems")
MESSAGES_DELAYED = SearchAttributeKey.for_bool("FastTrackMessagesDelayed")
# Since when the record has been too large to carry over; a Datetime, as the dev
# server's SQLite visibility takes at most three Bool attributes.
RECORD_TOO_LARGE_SINCE = SearchAttributeKey.for_datetime("FastTrackRecordTooLargeSince")
# The risks raised now (fasttrack/risks.py), so that the at-risk query is one indexed
# condition; absent when none is. Published by runs that took the change "risks-list".
RISKS = SearchAttributeKey.for_keyword_list("FastTrackRisks")
# Who must act next, on what, and the nearest deadline (fasttrack/engagement/next_step.py):
# the board sorts and filters by them. Absent once closed, and on runs started before
# the change "next-step". The deadline is UTC as the number yyyymmddHHMMSS, readable in the
# UI and ordered as numbers: the dev server's visibility has no fourth Datetime attribute.
NEXT_DEADLINE = SearchAttributeKey.for_int("FastTrackNextDeadline")
NEXT_DEADLINE_KIND = SearchAttributeKey.for_keyword("FastTrackNextDeadlineKind")
ACTS_NEXT = SearchAttributeKey.for_keyword("FastTrackActsNext")
NEXT_STEP = SearchAttributeKey.for_keyword("FastTrackNextStep")

ALL = (
    PHASE,
    PHASE_SINCE,
    TENANT_ID,
    REGION,
    ONBOARDING_DEADLINE,
    CONTACT_SLA_BREACHED,
    REMEDIATION_STALLED,
    OPEN_REMEDIATION_ITEMS,
    MESSAGES_DELAYED,
    RECORD_TOO_LARGE_SINCE,
    REMEDIATION_ITEMS,
    RISKS,
    NEXT_DEADLINE,
    NEXT_DEADLINE_KIND,
    ACTS_NEXT,
    NEXT_STEP,
)


def deadline_number(moment: datetime) -> int:
    """NEXT_DEADLINE's value for a moment: its UTC second as yyyymmddHHMMSS."""
    return int(moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S"))


def deadline_moment(number: int) -> datetime:
    return datetime.strptime(str(number), "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def dev_server_flags() -> list[str]:
    """``temporal server start-dev`` flags that register every attribute."""
    flags = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={key.indexed_value_type.name.title().replace('_', '')}"]
    return flags
