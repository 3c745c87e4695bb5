"""How the engagement keeps the benefit register current: where it stands at its
start and at each phase change, and its outcome and whole record at closing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from fasttrack.engagement import Engagement
    from fasttrack.engagement.budget import carry_fits
    from fasttrack.models import RegisterClosing, RegisterProgress
    from workflows.log_fields import failure_kind
    from workflows.patches import Patches

# Until the database answers: the register must learn every phase and the outcome.
REGISTER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1),
                             non_retryable_error_types=["RegisterRefused"])
REGISTER_WRITE_TIMEOUT = timedelta(seconds=30)


class RegisterWrites:
    """Progress writes go on their own, so that a database that does not answer
    holds up no clock; the closing write is the first thing a closing does, and is
    awaited, so that the register knows the outcome before the tenant's next order
    and before Temporal's retention can forget the engagement."""

    def __init__(self, patches: Patches) -> None:
        self._patches = patches
        self._written: tuple[object, ...] | None = None
        self._closed = False
        self.in_flight = 0

    def note(self, engagement: Engagement) -> None:
        state = engagement.state
        stands: tuple[object, ...] = (state.phase, workflow.info().run_id)
        if self._patches.patched(patches.REGISTER_CONTACT):
            # The board's contact SLA trend: the register learns the contact, or its window missed.
            stands += (state.contact_made_at is not None, state.contact_sla_breached)
        if stands == self._written or state.phase.is_closed or not self._progress_patch():
            return
        self._written = stands
        asyncio.create_task(self._progress(engagement))

    async def close(self, engagement: Engagement) -> None:
        # Patched on its own: an engagement that ran on older code and closes on this
        # one still leaves its record, whatever its progress writes did.
        if self._closed or not self._patches.patched(patches.REGISTER_AT_CLOSING):
            return
        self._closed = True
        state = engagement.view()  # serialized as the activity is scheduled, below
        closing = RegisterClosing(progress=_progress_of(engagement), outcome=state.outcome, final_state=state)
        if not carry_fits(len(closing.model_dump_json().encode())):
            closing = closing.model_copy(update={"final_state": None})  # the outcome, at least
        try:
            await self._write("record_closing", closing, f"Register: closed as {state.phase.value}")
        except ActivityError as error:  # refused for good: the engagement still completes
            workflow.logger.error("register not written at closing", extra={"failure": failure_kind(error)})

    async def _progress(self, engagement: Engagement) -> None:
        state = engagement.state
        self.in_flight += 1
        try:
            await self._write("record_progress", _progress_of(engagement),
                              f"Register: {state.phase.value} since {state.phase_since:%Y-%m-%d %H:%M} UTC")
        except ActivityError as error:
            workflow.logger.error("register progress not written", extra={"failure": failure_kind(error)})
        finally:
            self.in_flight -= 1

    def _progress_patch(self) -> bool:
        # Added while engagements were running (tests/histories/v8).
        return self._patches.patched(patches.REGISTER_PROGRESS)

    @staticmethod
    async def _write(activity: str, payload: object, summary: str) -> None:
        await workflow.execute_activity(activity, payload, start_to_close_timeout=REGISTER_WRITE_TIMEOUT,
                                        retry_policy=REGISTER_RETRY, summary=summary)


def _progress_of(engagement: Engagement) -> RegisterProgress:
    info = workflow.info()
    return RegisterProgress.of(engagement.state, info.first_execution_run_id, info.run_id)
