"""How the engagement workflow checks and applies an action, whether it came as a
Workflow Update (validator, then handler) or as a Signal (workflows/action_signals.py).
Each update takes the raw payload and reads it into its action here, so that a
payload of the wrong shape (from the Temporal CLI or UI) is refused like a rule
refusal, naming the field, instead of failing in the data converter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from fasttrack import contract
    from fasttrack.engagement import ActionRejected, Engagement
    from fasttrack.models import Action, ActionReceipt, KickoffHeld, VerificationResult
    from workflows import metrics
    from workflows.patches import Patches
    from workflows.payloads import read


class Acting:
    """Checks and applies actions on ``engagement``; ``show`` publishes where it stands."""

    def __init__(self, engagement: Engagement, patches: Patches, show: Callable[[], None]) -> None:
        self._engagement = engagement
        self._patches = patches
        self._show = show

    def check(self, action: Action) -> None:
        try:
            self._engagement.check(action, workflow.now())
        except ActionRejected as rejection:
            raise ApplicationError(str(rejection), type=contract.ErrorType.ACTION_REJECTED, non_retryable=True) from None

    def check_update(self, model: type[Action], payload: Any) -> None:
        """An update's validator: the payload's shape, then the engagement's rules; a
        refusal is counted under the update's name (a signal's, by its handler)."""
        try:
            self.check(read(model, payload, edge=True))
        except ApplicationError:
            update = workflow.current_update_info()  # always set in a validator
            metrics.count(metrics.REFUSED, action=update.name if update else "unknown", via="update")
            raise

    def keep_messages_current(self) -> None:
        # Added while engagements were running (tests/histories/v3): waiting messages
        # that an action makes untrue are dropped or re-addressed, late timers do not
        # pile up. Those started before keep the behaviour they ran with.
        self._engagement.keeps_messages_current = self._patches.patched(patches.KEEP_MESSAGES_CURRENT)

    def _drop_superseded_messages(self) -> None:
        # Added while engagements were running (tests/histories/v13): a verification drops
        # the items-reopened notices and the checklist still waiting for business hours,
        # which it makes untrue. Asked only at a verification, so that an engagement
        # records its marker there, not at its first action.
        self._engagement.drops_superseded_messages = self._patches.patched(patches.DROP_SUPERSEDED_MESSAGES)

    def act(self, action: Action) -> ActionReceipt:
        self.keep_messages_current()
        if isinstance(action, VerificationResult):
            self._drop_superseded_messages()
        try:
            receipt = self._engagement.apply(action, workflow.now())
        except ActionRejected as rejection:  # the validator ran just before, so this is not expected
            raise ApplicationError(str(rejection), type=contract.ErrorType.ACTION_REJECTED, non_retryable=True) from None
        workflow.logger.info("action recorded", extra={"action": type(action).__name__})
        self._show()
        # Added while engagements were running: those that held their kickoff before
        # it replay without the message (tests/histories/v1), new ones send it (v2).
        if isinstance(action, KickoffHeld) and self._patches.patched(patches.KICKOFF_SUMMARY_MESSAGE):
            self._engagement.confirm_scope(workflow.now())
        return receipt
