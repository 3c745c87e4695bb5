"""Enable — Intune: test devices, selected apps (R8, R9) while MDM is in scope, and completion."""

from __future__ import annotations

from datetime import datetime

from fasttrack.contract import Event
from fasttrack.engagement.closing import close
from fasttrack.engagement.core import ORCHESTRATOR, EngagementParts, record
from fasttrack.errors import ActionRejected
from fasttrack.models import AppSelected, DeviceEnrolled, EnrolledDevice, Goal, LinkType, Phase, SelectedApp
from fasttrack.models.actions import ActionEvent
from fasttrack.policy import MdmPlatform, PlatformSupport


def _mdm_platform(engagement: EngagementParts, doing: str, platform: MdmPlatform) -> PlatformSupport:
    """How the policy supports ``platform``, when MDM is in scope at all."""
    scope = engagement.state.scope
    assert scope is not None
    if Goal.MDM not in scope.goals:
        raise ActionRejected(f"Cannot {doing}: mobile device management is not in this engagement's scope.")
    support = engagement.policy.mdm_platforms.get(platform)
    if support is None:
        raise ActionRejected(f"Platform '{platform.value}' is not a supported MDM platform.")
    return support


def _one_more(names: list[str], name: str, limit: int, taken: str, full: str) -> None:
    """Room for one more ``name`` on a platform that has ``names`` (R8, R9)."""
    if any(existing.casefold() == name.casefold() for existing in names):
        raise ActionRejected(taken)
    if len(names) >= limit:
        raise ActionRejected(full.replace("{limit}", str(limit)).replace("{count}", str(len(names))))


def check_device(engagement: EngagementParts, action: DeviceEnrolled, now: datetime) -> None:
    support = _mdm_platform(engagement, "enroll a test device", action.platform)
    names = [device.name for device in engagement.state.test_devices if device.platform is action.platform]
    _one_more(names, action.device_name, engagement.policy.max_test_devices_per_platform,
              f"Test device '{action.device_name}' is already enrolled on {support.label}.",
              f"At most {{limit}} test devices per platform are enrolled, and {support.label} already has "
              "{count}.")


def apply_device(engagement: EngagementParts, action: DeviceEnrolled, now: datetime) -> str:
    engagement.state.test_devices.append(
        EnrolledDevice(platform=action.platform, name=action.device_name, enrolled_at=now, enrolled_by=action.by)
    )
    record(engagement, now, ActionEvent.TEST_DEVICE_ENROLLED, action.by, f"{action.device_name} ({action.platform.value})")
    return f"Test device '{action.device_name}' enrolled on {action.platform.value}."


def check_app(engagement: EngagementParts, action: AppSelected, now: datetime) -> None:
    support = _mdm_platform(engagement, "select an app", action.platform)
    scheme, separator, rest = action.link.partition("://")
    if not separator or not scheme or not rest or not scheme.replace("-", "").replace(".", "").isalnum():
        raise ActionRejected(f"'{action.link}' is not a link (expected scheme://address).")
    if action.link_type is LinkType.WEB_LINK and scheme.lower() not in ("http", "https"):
        raise ActionRejected("A web link starts with https:// or http://.")
    names = [app.name for app in engagement.state.apps if app.platform is action.platform]
    _one_more(names, action.app_name, engagement.policy.max_apps_per_platform,
              f"App '{action.app_name}' is already selected for {support.label}.",
              f"At most {{limit}} apps per platform are selected, and {support.label} already has {{count}}.")


def apply_app(engagement: EngagementParts, action: AppSelected, now: datetime) -> str:
    engagement.state.apps.append(
        SelectedApp(
            platform=action.platform,
            name=action.app_name,
            link_type=action.link_type,
            link=action.link,
            selected_at=now,
            selected_by=action.by,
        )
    )
    detail = f"{action.app_name} ({action.platform.value}, {action.link_type.value})"
    record(engagement, now, ActionEvent.APP_SELECTED, action.by, detail)
    return f"App '{action.app_name}' selected for {action.platform.value}."


def intune_enabled(engagement: EngagementParts, now: datetime) -> str:
    """The last Intune task is done: the engagement is completed."""
    record(engagement, now, Event.INTUNE_ENABLED, ORCHESTRATOR, "All management policies validated.")
    close(engagement, Phase.COMPLETED, now)
    return "Intune enabled: the engagement is completed."
