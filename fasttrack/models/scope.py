"""The scope agreed at the kickoff and the source environment submitted in Assess.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from fasttrack.base import StrictModel
from fasttrack.models.common import Goal, IdentityModel, MdmAuthority, Person, Service
from fasttrack.models.text import BROWSER_NAME, Name, Text, TimeZone, Version, VersionName
from fasttrack.policy import MdmPlatform


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
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60),
        AfterValidator(BROWSER_NAME),
    ]
    version: Annotated[Version, VersionName]


ClientPlatform = MdmPlatform | Literal["windows_pc"]


class ClientOs(StrictModel):
    platform: ClientPlatform
    version: Annotated[Version, VersionName]


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
