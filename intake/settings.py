"""The intake's configuration: its address, the two systems' signing secrets, and
the operators' bearer tokens, each naming an actor and a role. Without them the
service does not start (the embedded stack of `make run` generates development
ones and prints them)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, StringConstraints, model_validator

from engagement_client.settings import ClientSettings
from engagement_client.update_ids import REQUEST_ID
from fasttrack.base import StrictModel
from fasttrack.models.text import Name, TenantId, Text


class Role(StrEnum):
    OPERATOR = "operator"  # reads, and acts on engagements
    READ_ONLY = "read_only"  # reads


class AssistanceFromPortal(StrictModel):
    """What the portal signs: the engagement's tenant, and the customer's words."""

    tenant_id: TenantId
    note: Text | None = None
    request_id: Annotated[  # as the command line's --request-id
        str, StringConstraints(min_length=1, max_length=200, pattern=f"^{REQUEST_ID.pattern}$")
    ] | None = None


class Caller(BaseModel):
    actor: Name  # recorded as `by` for every action the token takes
    role: Role


Secret = Annotated[SecretStr, Field(min_length=32)]


class IntakeSettings(ClientSettings):
    intake_host: str = "127.0.0.1"
    intake_port: Annotated[int, Field(ge=1, le=65535)] = 8380
    commerce_secret: Secret | None = Field(None, description="Signs commerce's purchase events.")
    portal_secret: Secret | None = Field(None, description="Signs the FastTrack portal's assistance requests.")
    portal_actor: Name = "FastTrack portal"
    intake_answer_seconds: Annotated[float, Field(gt=0, le=120)] = Field(
        10.0, description="How long a request waits for an engagement (or Temporal) before answering 503.")
    intake_tokens: dict[Annotated[str, Field(min_length=32)], Caller] = Field(
        default_factory=dict, description='JSON: {"<token>": {"actor": "Ana (FastTrack)", "role": "operator"}}'
    )

    @model_validator(mode="after")
    def _complete(self) -> IntakeSettings:
        missing = [name for name, value in (("FASTTRACK_COMMERCE_SECRET", self.commerce_secret),
                                             ("FASTTRACK_PORTAL_SECRET", self.portal_secret),
                                             ("FASTTRACK_INTAKE_TOKENS", self.intake_tokens)) if not value]
        if missing:
            raise ValueError(f"the intake needs {', '.join(missing)} (secrets of 32 characters or more)")
        return self
