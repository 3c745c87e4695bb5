"""Inbound: the purchase event from commerce, the workflow input, the eligibility verdict.

A wire contract: its JSON shape is frozen by the recorded histories and by
continue-as-new (see fasttrack/models/__init__.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from fasttrack.base import StrictModel
from fasttrack.models.common import Person, Phrase, Region
from fasttrack.models.text import Identifier, Name, TenantId, TimeZone, _not_a_number
from fasttrack.policy import Plan


# Today's names of two plans, accepted as commerce may send them; the plan is kept under the
# seed's id, so histories read the same.
TODAY_S_PLAN_NAMES = {
    "enterprise_mobility_security": Plan.EMS,
    "microsoft_entra_id_p1": Plan.AZURE_AD_PREMIUM,
    "microsoft_entra_id_p2": Plan.AZURE_AD_PREMIUM,
}


def _seed_plan_id(value: object) -> object:
    return TODAY_S_PLAN_NAMES.get(value, value) if isinstance(value, str) else value


class Purchase(StrictModel):
    """A license purchase as commerce reports it."""

    order_id: Identifier
    tenant_id: TenantId
    organization: Name | None = None
    plan: Annotated[Plan, BeforeValidator(_seed_plan_id)] = Field(
        description="The seed's plan ids; enterprise_mobility_security and microsoft_entra_id_p1/p2 are accepted "
        "for enterprise_mobility_suite and azure_ad_premium."
    )
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



class EligibilityVerdict(StrictModel):
    eligible: bool
    reasons: list[Phrase] = Field(default_factory=list)
