"""Continue-as-new for an engagement whose history has grown: the whole state is
carried into a fresh history, with the messages still on their way, unless it
would not fit, which is then shown as a risk."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from fasttrack.engagement import Engagement
    from fasttrack.engagement.budget import carry_fits
    from fasttrack.models import EngagementInput
    from workflows.outbox import Deliveries
    from workflows.patches import Patches
    from workflows.registering import RegisterWrites


class CarryOver:
    """When ``engagement`` continues as new, and the carrying over; ``show`` publishes
    where it stands."""

    def __init__(self, engagement: Engagement, patches: Patches, deliveries: Deliveries, register: RegisterWrites,
                 show: Callable[[], None]) -> None:
        self._engagement = engagement
        self._patches = patches
        self._deliveries = deliveries
        self._register = register
        self._show = show
        self._carry_refused_at: int | None = None  # history length when the record last did not fit

    def is_due(self) -> bool:
        info = workflow.info()
        if not info.is_continue_as_new_suggested():
            return False
        if self._carry_refused_at is not None and info.get_current_history_length() < self._carry_refused_at + 1_000:
            return False  # the record did not fit a while ago: no loop, a try now and then
        # Runs from before "carry-over" wait until no message is on its way, which a long
        # mail outage can put off for good; later runs carry those messages over.
        return not self._deliveries.in_flight or self._carries_over()

    def _carries_over(self) -> bool:
        # Added while engagements were running (tests/histories/v7).
        return self._patches.patched(patches.CARRY_OVER)

    async def continue_as_new(self, engagement_input: EngagementInput) -> None:
        """Starts a fresh history carrying the whole state over, once every update in
        hand has been answered. Messages still on their way after a few seconds wait
        in the carried state, to go once the attempt in hand has ended; a record too
        large to carry stays in this history and is shown as a risk."""
        if not self._carries_over():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.logger.info("continuing as new", extra={"history_length": workflow.info().get_current_history_length()})
            workflow.continue_as_new(engagement_input.model_copy(update={"resume": self._engagement.state}))
        # A few seconds for messages and register writes on their way: an activity that
        # completes as this run hands over would fail the task, and the updates in it.
        on_their_way = await self._deliveries.still_on_their_way(settled=lambda: not self._register.in_flight)
        await workflow.wait_condition(workflow.all_handlers_finished)
        on_their_way = [message for message in on_their_way if message.key in self._deliveries.in_flight]
        carried = engagement_input.model_copy(update={"resume": self._engagement.carried_over(on_their_way)})
        size = len(carried.model_dump_json().encode())
        if not carry_fits(size):
            self._carry_refused_at = workflow.info().get_current_history_length()
            self._engagement.record_too_large_to_carry(size, workflow.now())
            workflow.logger.error("record too large to carry into a fresh history", extra={"bytes": size})
            self._show()
            return
        if self._engagement.state.record_too_large_since is not None:
            self._engagement.record_fits_again(workflow.now())
            carried = engagement_input.model_copy(update={"resume": self._engagement.carried_over(on_their_way)})
            self._show()  # the fresh history inherits its search attributes
        workflow.logger.info("continuing as new", extra={"history_length": workflow.info().get_current_history_length(),
                                                        "bytes": size, "messages_on_their_way": len(on_their_way)})
        workflow.continue_as_new(carried)
