"""The engagement as a pure state machine, one module per phase of the benefit.

``EngagementWorkflow`` owns the clock and the side effects; this package owns
the rules. Every action has a row in ``catalogue.CATALOGUE``: the phases that allow it,
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
from fasttrack.engagement import clock, closing, core, eligibility, initiate, outbox
from fasttrack.engagement.budget import STATE_BUDGET, check_request, check_state_growth
from fasttrack.engagement.core import COMMERCE, ORCHESTRATOR
from fasttrack.engagement.catalogue import rule_for
from fasttrack.engagement.ledger import TimelineLedger, copy_state, state_size
from fasttrack.errors import ActionRejected
from fasttrack.models import (
    Action,
    ActionReceipt,
    ChecklistItem,
    EligibilityVerdict,
    EngagementInput,
    EngagementResult,
    EngagementState,
    Notification,
    Purchase,
    Reminder,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy
from fasttrack.presentation import details_markdown

__all__ = ["COMMERCE", "ORCHESTRATOR", "ActionRejected", "Engagement", "engagement_id_for"]


class Engagement:
    """The facade the workflow talks to: the state, the policy, and the behaviour
    flags; the rules are the phase modules' functions, each taking the engagement."""

    def __init__(self, state: EngagementState, policy: BenefitPolicy) -> None:
        self.state = state
        self.policy = policy
        self.ledger = TimelineLedger.of(state.timeline)
        # Behaviour added while engagements were running; the workflow turns it on
        # through workflow.patched, so those started before replay as they ran.
        self.keeps_messages_current = True
        self.drops_superseded_messages = True

    @classmethod
    def open(cls, engagement_input: EngagementInput, engagement_id: str, now: datetime) -> Engagement:
        return cls(eligibility.new_state(engagement_input, engagement_id, now), engagement_input.policy)

    def check(self, action: Action, now: datetime) -> None:
        """What the update's validator asks: the rules, then the budgets (an action
        too large, or one that would grow the state past its budget, is refused)."""
        self._check_rules(action, now)
        check_request(action)
        if not isinstance(action, Withdrawal):  # closing is always possible
            after = self._size_after(action, now)
            if after > STATE_BUDGET:  # only then does the size before matter
                check_state_growth(self.size(), after)

    def apply(self, action: Action, now: datetime) -> ActionReceipt:
        """What the update's handler does. The budgets were checked by the validator;
        they are not checked again here, so that an action accepted before they
        existed replays as it ran."""
        self._check_rules(action, now)
        message = rule_for(action).apply(self, action, now)
        return ActionReceipt(engagement_id=self.state.engagement_id, phase=self.state.phase, message=message)

    def _check_rules(self, action: Action, now: datetime) -> None:
        if self.state.phase.is_closed:
            raise ActionRejected(f"The engagement is closed ({self.state.phase.value}); it takes no more actions.")
        rule = rule_for(action)
        core.require_phase(self, rule.doing, *rule.phases)
        rule.check(self, action, now)

    def size(self) -> int:
        """Bytes of the state's JSON, as continue-as-new carries it; the timeline is not serialized."""
        return state_size(self.state, self.ledger)

    def _size_after(self, action: Action, now: datetime) -> int:
        """The state's size once the action is applied, tried on a copy whose timeline
        shares its entries: what it costs follows the action and the state's bounded
        parts, not the engagement's age. An action that fails there is refused."""
        trial = copy.copy(self)  # the same policy and behaviour flags, whatever flags come later
        trial.state, trial.ledger = copy_state(self.state), self.ledger.copy()
        rule_for(action).apply(trial, action, now)
        return trial.size()

    def details_markdown(self) -> str:
        return details_markdown(self.state, self.open_work(), self.next_reminder())

    def view(self, with_timeline: bool = True) -> EngagementState:
        """The state with its next reminder, as a query or the register's closing record
        shows it. A shallow copy: both serialize it at once, before the state moves on.
        Without its timeline, the part that grows with the engagement's age, reading
        it costs the same on a young engagement and an old one."""
        update: dict[str, object] = {"next_reminder": self.next_reminder()}
        if not with_timeline:
            update["timeline"] = []
        return self.state.model_copy(update=update)

    # What the workflow asks and tells, each said by the module whose job it is.

    def next_reminder(self) -> Reminder | None:
        return clock.next_reminder(self)

    def advance_clock(self, now: datetime) -> None:
        clock.advance_clock(self, now)

    def open_items(self) -> list[ChecklistItem]:
        return core.open_items(self)

    def open_work(self) -> list[str]:
        return closing.open_work(self)

    def result(self) -> EngagementResult:
        return closing.result(self)

    def record_eligibility(self, verdict: EligibilityVerdict, now: datetime) -> None:
        eligibility.record_eligibility(self, verdict, now)

    def record_additional_purchase(self, purchase: Purchase, now: datetime) -> None:
        eligibility.record_additional_purchase(self, purchase, now)

    def has_applied(self, request_id: str) -> bool:
        return eligibility.has_applied(self, request_id)

    def record_request(self, request_id: str) -> None:
        eligibility.record_request(self, request_id)

    def record_refused_signal(self, name: str, reason: str, now: datetime) -> None:
        eligibility.record_refused_signal(self, name, reason, now)

    def record_refused_event(self, event: str, reason: str, now: datetime) -> None:
        eligibility.record_refused_event(self, event, reason, now)

    def confirm_scope(self, now: datetime) -> None:
        initiate.confirm_scope(self, now)

    def due_messages(self, now: datetime) -> list[Notification]:
        return outbox.due_messages(self, now)

    def hand_over_messages(self) -> list[Notification]:
        return outbox.hand_over_messages(self)

    def record_hand_over(self, messages: list[Notification], delivery_id: str, now: datetime) -> None:
        outbox.record_hand_over(self, messages, delivery_id, now)

    def carried_over(self, on_their_way: list[Notification]) -> EngagementState:
        return outbox.carried_over(self, on_their_way)

    def record_too_large_to_carry(self, size: int, now: datetime) -> None:
        outbox.record_too_large_to_carry(self, size, now)

    def record_fits_again(self, now: datetime) -> None:
        outbox.record_fits_again(self, now)

    def record_messages_delayed(self, since: datetime, now: datetime) -> None:
        outbox.record_messages_delayed(self, since, now)

    def record_messages_flowing(self, now: datetime) -> None:
        outbox.record_messages_flowing(self, now)

    def record_delivery(self, notification: Notification, now: datetime) -> None:
        outbox.record_delivery(self, notification, now)

    def record_delivery_failure(self, notification: Notification, reason: str, now: datetime) -> None:
        outbox.record_delivery_failure(self, notification, reason, now)
