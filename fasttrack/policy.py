"""Every number of the FastTrack Center benefit for Intune, as data.

The defaults follow ``shared/domain/fasttrack-intune.md`` (rule ids R1–R12 in
the comments). The policy travels in the workflow input, so an engagement keeps
the rules it started with even when the defaults change later.
"""

from __future__ import annotations

import calendar
from functools import lru_cache
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fasttrack.base import StrictModel
from fasttrack.business_time import BusinessHours


class Plan(StrEnum):
    INTUNE = "intune"
    EMS = "enterprise_mobility_suite"
    ECS = "enterprise_cloud_suite"
    OFFICE_365_E3 = "office_365_e3"
    AZURE_AD_PREMIUM = "azure_ad_premium"


class OnboardingAnchor(StrEnum):
    FIRST_CONTACT = "first_contact"
    """First of: contact made, assistance requested (the Azure AD Premium page)."""
    PURCHASE = "purchase"


class MdmPlatform(StrEnum):
    IOS = "ios"
    ANDROID = "android"
    WINDOWS_PHONE = "windows_phone"
    WINDOWS_RT = "windows_rt"
    WINDOWS_PC_MDM = "windows_pc_mdm"
    MACOS = "macos"


class PlatformSupport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    minimum_version: str


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def version_at_least(version: str, minimum: str) -> bool:
    return _version_key(version) >= _version_key(minimum)


def add_calendar_months(moment: datetime, months: int) -> datetime:
    """Same day-of-month ``months`` later, clamped to the month's last day."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


DEFAULT_MDM_PLATFORMS = {
    MdmPlatform.IOS: PlatformSupport(label="iOS", minimum_version="7.1"),
    MdmPlatform.ANDROID: PlatformSupport(label="Android (incl. Samsung KNOX)", minimum_version="4.0"),
    MdmPlatform.WINDOWS_PHONE: PlatformSupport(label="Windows Phone", minimum_version="8.0"),
    MdmPlatform.WINDOWS_RT: PlatformSupport(label="Windows RT / 8.1 RT", minimum_version="8.0"),
    MdmPlatform.WINDOWS_PC_MDM: PlatformSupport(
        label="Windows PCs enrolled as mobile devices", minimum_version="8.1"
    ),
    MdmPlatform.MACOS: PlatformSupport(label="Mac OS X", minimum_version="10.9"),
}

# Windows version numbers of the PC client's supported releases (business editions).
DEFAULT_PC_CLIENT_WINDOWS_VERSIONS = {
    "vista": "6.0",
    "7": "6.1",
    "8": "6.2",
    "8.1": "6.3",
    "10": "10.0",
}

# Browsers of the Intune admin and self-service portals in 2016: an inference
# from the service's requirements page of the time, kept as data.
DEFAULT_SUPPORTED_BROWSERS = {
    "internet_explorer": "10",
    "edge": "12",
    "chrome": "45",
    "firefox": "40",
    "safari": "8",
}


class BenefitPolicy(StrictModel):
    """The rules an engagement runs by. Durations are ``timedelta`` so a test or
    a demo can compress them (days become seconds) without touching code. Frozen:
    engagements with the same rules share one copy of them (``shared``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # R1
    minimum_licenses: int = Field(150, ge=1)
    eligible_plans: list[Plan] = Field(
        default_factory=lambda: [Plan.INTUNE, Plan.EMS, Plan.ECS], min_length=1
    )
    requires_new_subscription: bool = True

    # R2: outreach inside the contact window, offsets from the purchase.
    contact_window: timedelta = timedelta(days=30)
    outreach_offsets: list[timedelta] = Field(
        default_factory=lambda: [timedelta(days=d) for d in (0, 7, 14, 21, 28)], min_length=1
    )
    # Not stated by the sources: after a missed window we escalate once and keep
    # trying at this slower cadence until contact or expiry.
    slow_outreach_interval: timedelta = timedelta(days=14)

    # R5
    onboarding_window_months: int = Field(12, ge=1)
    onboarding_window: timedelta | None = Field(
        None,
        description="A fixed length replacing calendar months; for compressed test and demo policies.",
    )
    onboarding_anchor: OnboardingAnchor = OnboardingAnchor.FIRST_CONTACT

    # Remediate
    checkpoint_cadences: dict[str, timedelta] = Field(
        default_factory=lambda: {"weekly": timedelta(days=7), "biweekly": timedelta(days=14)}
    )
    default_checkpoint_cadence: str = "weekly"
    remediation_stall_after: timedelta = timedelta(days=14)

    # Customer-facing messages and proposed calls fall in the business hours of
    # the customer's region (R12); None sends at any time (compressed demos).
    business_hours: BusinessHours | None = Field(default_factory=BusinessHours)
    call_duration: timedelta = timedelta(minutes=30)
    kickoff_lead: timedelta = Field(
        timedelta(days=2), description="How far after first contact the kickoff is first proposed."
    )
    remediation_stall_escalation: bool = True
    messages_delayed_after: timedelta = Field(
        timedelta(hours=1), description="A message still not sent this long after it fell due is shown as a risk."
    )
    deadline_warning_before: timedelta = Field(
        timedelta(days=30), description="The FastTrack manager hears of open work this long before the deadline."
    )

    # R8, R9
    max_test_devices_per_platform: int = Field(2, ge=0)
    max_apps_per_platform: int = Field(2, ge=0)
    mdm_platforms: dict[MdmPlatform, PlatformSupport] = Field(
        default_factory=lambda: dict(DEFAULT_MDM_PLATFORMS)
    )
    pc_client_windows_versions: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_PC_CLIENT_WINDOWS_VERSIONS)
    )
    supported_browsers: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SUPPORTED_BROWSERS)
    )

    # R10, R11
    minimum_forest_functional_level: str = "2008"
    minimum_configmgr_version: str = "2012 R2"
    minimum_adfs_version: str = "2.0"

    # R12 (BCP 47)
    languages: list[str] = Field(
        default_factory=lambda: ["zh-Hant", "en", "fr", "de", "it", "ja", "pt-BR", "es"],
        min_length=1,
    )
    default_language: str = "en"

    @model_validator(mode="after")
    def _consistent(self) -> BenefitPolicy:
        if sorted(self.outreach_offsets) != self.outreach_offsets:
            raise ValueError("outreach_offsets must be in increasing order")
        if any(offset < timedelta(0) or offset >= self.contact_window for offset in self.outreach_offsets):
            raise ValueError("every outreach offset must fall inside the contact window")
        if self.slow_outreach_interval <= timedelta(0):
            raise ValueError("slow_outreach_interval must be positive")
        if self.remediation_stall_after <= timedelta(0):
            raise ValueError("remediation_stall_after must be positive")
        if self.onboarding_window is not None and self.onboarding_window <= timedelta(0):
            raise ValueError("onboarding_window must be positive when set")
        if not self.checkpoint_cadences or any(c <= timedelta(0) for c in self.checkpoint_cadences.values()):
            raise ValueError("checkpoint_cadences must name at least one positive cadence")
        if self.default_checkpoint_cadence not in self.checkpoint_cadences:
            raise ValueError("default_checkpoint_cadence must be one of checkpoint_cadences")
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        return self

    def onboarding_deadline(self, anchor: datetime) -> datetime:
        if self.onboarding_window is not None:
            return anchor + self.onboarding_window
        return add_calendar_months(anchor, self.onboarding_window_months)

    def shared(self) -> BenefitPolicy:
        """The one copy of these rules that every engagement with them shares: most
        engagements have the same rules, and a copy costs each cached one about 8 KiB."""
        return _shared_policy(self.model_dump_json())

    @classmethod
    def compressed(cls, day: timedelta, **overrides: Any) -> BenefitPolicy:
        """The default rules with every day lasting ``day`` (and 12 months = 365 days),
        and no business hours (a compressed week has no weekend)."""
        defaults = cls()
        scale = day / timedelta(days=1)
        values = dict(
            contact_window=defaults.contact_window * scale,
            outreach_offsets=[o * scale for o in defaults.outreach_offsets],
            slow_outreach_interval=defaults.slow_outreach_interval * scale,
            onboarding_window=timedelta(days=365) * scale,
            checkpoint_cadences={k: v * scale for k, v in defaults.checkpoint_cadences.items()},
            remediation_stall_after=defaults.remediation_stall_after * scale,
            business_hours=None,
            call_duration=defaults.call_duration * scale,
            kickoff_lead=defaults.kickoff_lead * scale,
            deadline_warning_before=defaults.deadline_warning_before * scale,
            # Sending a message takes real time, whatever a day lasts: never under a minute.
            messages_delayed_after=max(defaults.messages_delayed_after * scale, timedelta(minutes=1)),
        )
        values.update(overrides)
        return cls(**values)


@lru_cache(maxsize=64)
def _shared_policy(rules: str) -> BenefitPolicy:
    return BenefitPolicy.model_validate_json(rules)
