"""Work items: the remediation checklist, Enable tasks, devices, apps, the plan.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from fasttrack.base import StrictModel
from fasttrack.models.common import Phrase
from fasttrack.policy import MdmPlatform


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
