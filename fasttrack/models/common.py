"""Values shared by several contracts: regions, goals, phases, phrases, people.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from fasttrack.base import StrictModel
from fasttrack.models.text import Email, Name


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
    ref: str | None = Field(None, description="An item or task id, shown as [ref] to operators, never in mail.")
    label_key: str | None = Field(None, description="A catalog label shown before it, e.g. phases.remediate.")
    label: str | None = None

    def english(self) -> str:
        reference = f"[{self.ref}] " if self.ref else ""
        prefix = f"{self.label}: " if self.label else ""
        return f"{prefix}{reference}{self.text}"


class Person(StrictModel):
    name: Name
    email: Email
    given_name: Name | None = Field(
        None,
        description="What the person is called in a greeting, e.g. Paula; mail without it greets as each "
        "language does when only the full name is known.",
        exclude_if=lambda value: value is None,  # histories and state written before it keep their shape
    )
