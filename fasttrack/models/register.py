"""What an engagement writes to the benefit register (activity inputs).

A wire contract: its JSON shape is frozen by the recorded histories (see
fasttrack/models/__init__.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fasttrack.base import StrictModel
from fasttrack.models.common import Phase
from fasttrack.models.state import EngagementState, Outcome


class RegisterProgress(StrictModel):
    record_id: str = Field(description="The order that opened the engagement")
    engagement_id: str
    tenant_id: str
    first_run_id: str
    run_id: str
    phase: Phase
    phase_since: datetime
    opened_at: datetime
    progress: int = Field(description="Timeline entries so far: the register keeps the latest write")
    # Written since the change "register-contact": absent (None) in older writes.
    contact_made_at: datetime | None = None
    contact_sla_breached: bool | None = Field(None, description="Whether the contact came after the contact window")

    @classmethod
    def of(cls, state: EngagementState, first_run_id: str, run_id: str) -> RegisterProgress:
        return cls(
            record_id=state.purchase.order_id, engagement_id=state.engagement_id, tenant_id=state.tenant_id,
            first_run_id=first_run_id, run_id=run_id, phase=state.phase, phase_since=state.phase_since,
            opened_at=state.purchase.purchased_at, progress=len(state.timeline) + state.timeline_folded,
            contact_made_at=state.contact_made_at, contact_sla_breached=state.contact_sla_breached,
        )


class RegisterClosing(StrictModel):
    progress: RegisterProgress
    outcome: Outcome | None
    final_state: EngagementState | None = Field(
        None, description="The whole record; left out when too large for one payload (the outcome is always kept)"
    )
