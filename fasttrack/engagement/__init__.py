"""The engagement as a pure state machine, one module per phase of the benefit.

``EngagementWorkflow`` owns the clock and the side effects; this package owns
the rules. Every action has a row in ``table.RULES``: the phases that allow it,
a check (raises ``ActionRejected`` with a sentence a person understands, and
changes nothing) and an apply. Timers are derived from the state
(``clock.next_reminder``) and fired by ``clock.advance_clock``. Messages wait in
the outbox (a customer's for their business hours) until the workflow hands
them to the notifier activity.

| phase | module |
|---|---|
| eligibility | eligibility.py |
| Initiate | initiate.py (calls.py for the kickoff call) |
| Assess | assess.py |
| Remediate | remediate.py (calls.py for checkpoint calls) |
| Enable — core, Enable — Intune | enable_core.py, enable_intune.py |
| any open phase, and the end | closing.py |
"""

from __future__ import annotations

import copy
from datetime import datetime

from fasttrack.contract import engagement_id_for
from fasttrack.engagement.assess import AssessRules
from fasttrack.engagement.budget import check_request, check_state_growth
from fasttrack.engagement.calls import CallRules
from fasttrack.engagement.clock import Clock
from fasttrack.engagement.core import COMMERCE, ORCHESTRATOR
from fasttrack.engagement.eligibility import EligibilityRules, new_state
from fasttrack.engagement.enable_core import EnableCoreRules
from fasttrack.engagement.enable_intune import EnableIntuneRules
from fasttrack.engagement.table import RULES
from fasttrack.errors import ActionRejected
from fasttrack.models import Action, ActionReceipt, EngagementInput, EngagementState, Withdrawal
from fasttrack.presentation import details_markdown

__all__ = ["COMMERCE", "ORCHESTRATOR", "ActionRejected", "Engagement", "engagement_id_for"]


class Engagement(Clock, EligibilityRules, AssessRules, EnableCoreRules, EnableIntuneRules, CallRules):
    """The facade the workflow talks to."""

    @classmethod
    def open(cls, engagement_input: EngagementInput, engagement_id: str, now: datetime) -> Engagement:
        return cls(new_state(engagement_input, engagement_id, now), engagement_input.policy)

    def check(self, action: Action, now: datetime) -> None:
        """What the update's validator asks: the rules, then the budgets (an action
        too large, or one that would grow the state past its budget, is refused)."""
        self._check_rules(action, now)
        check_request(action)
        if not isinstance(action, Withdrawal):  # closing is always possible
            recorded = self.state.model_dump_json()
            check_state_growth(len(recorded.encode()), self._size_after(action, now, recorded))

    def apply(self, action: Action, now: datetime) -> ActionReceipt:
        """What the update's handler does. The budgets were checked by the validator;
        they are not checked again here, so that an action accepted before they
        existed replays as it ran."""
        self._check_rules(action, now)
        message = RULES[type(action)].apply(self, action, now)
        return ActionReceipt(engagement_id=self.state.engagement_id, phase=self.state.phase, message=message)

    def _check_rules(self, action: Action, now: datetime) -> None:
        if self.state.phase.is_closed:
            raise ActionRejected(f"The engagement is closed ({self.state.phase.value}); it takes no more actions.")
        rule = RULES[type(action)]
        self._require_phase(rule.doing, *rule.phases)
        rule.check(self, action, now)

    def _size_after(self, action: Action, now: datetime, recorded: str) -> int:
        """The state's size once the action is applied, tried on a copy: read back from
        the state's JSON (``recorded``), five times quicker than a deep copy and the same
        state, as continue-as-new carries it. An action that fails there is refused."""
        trial = copy.copy(self)  # the same policy and behaviour flags, whatever flags come later
        trial.state = EngagementState.model_validate_json(recorded)
        RULES[type(action)].apply(trial, action, now)
        return len(trial.state.model_dump_json().encode())

    def details_markdown(self) -> str:
        return details_markdown(self.state, self.open_work(), self.next_reminder())

    def view(self) -> EngagementState:
        """The state with its next reminder, as a query or the register's closing record
        shows it. A shallow copy: both serialize it at once, before the state moves on."""
        return self.state.model_copy(update={"next_reminder": self.next_reminder()})
