"""What an engagement shows of itself in Temporal: search attributes (upserted
only when a value changes) and the UI's current details."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from workflows import patches
    from fasttrack.engagement import Engagement
    from fasttrack.engagement.next_step import next_step
    from fasttrack.risks import risks
    from workflows import search_attributes as sa
    from workflows.patches import Patches


class Publisher:
    def __init__(self, patches: Patches) -> None:
        self._patches = patches
        self._published: dict[str, object] = {}
        self._inherited_noted = False

    def publish(self, engagement: Engagement) -> None:
        """Shows where the engagement stands: search attributes and current details."""
        state = engagement.state
        lists_risks = self._patches.patched(patches.RISKS_LIST)
        shows_next_step = self._patches.patched(patches.NEXT_STEP)
        if lists_risks and not self._inherited_noted:
            self._note_inherited(shows_next_step)
        values: dict[SearchAttributeKey[Any], Any] = {
            sa.PHASE: state.phase.value,
            sa.PHASE_SINCE: state.phase_since,
            sa.TENANT_ID: state.tenant_id,
            sa.REGION: state.purchase.region.value,
            sa.ONBOARDING_DEADLINE: state.onboarding_deadline,
            sa.CONTACT_SLA_BREACHED: state.contact_sla_breached,
            sa.REMEDIATION_STALLED: state.remediation_stalled,
        }
        if self._publishes_items_flag():
            values.update(self._items_flag_values(engagement))
        else:
            values[sa.OPEN_REMEDIATION_ITEMS] = len(engagement.open_items())
        # Risks added after engagements were running: absent until first raised, so
        # that older histories replay with the attributes they published.
        delayed = state.messages_delayed_since is not None
        if delayed or sa.MESSAGES_DELAYED.name in self._published:
            values[sa.MESSAGES_DELAYED] = delayed
        if state.record_too_large_since is not None or sa.RECORD_TOO_LARGE_SINCE.name in self._published:
            values[sa.RECORD_TOO_LARGE_SINCE] = state.record_too_large_since  # None: the risk is gone
        if lists_risks:
            values[sa.RISKS] = [risk.value for risk in risks(state)] or None
        if shows_next_step:
            values.update(_next_step_values(engagement))
        changed = [
            key.value_unset() if value is None else key.value_set(value)
            for key, value in values.items() if self._published.get(key.name) != value
        ]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._published.update({key.name: value for key, value in values.items()})
        workflow.set_current_details(engagement.details_markdown())

    def _note_inherited(self, shows_next_step: bool) -> None:
        # A run that continued as new starts with its predecessor's attributes: a risk
        # absent until raised must still be unset when it clears, never left stale.
        self._inherited_noted = True
        inherited = workflow.info().typed_search_attributes
        keys: tuple[SearchAttributeKey[Any], ...] = (sa.RISKS, sa.MESSAGES_DELAYED, sa.RECORD_TOO_LARGE_SINCE)
        if shows_next_step:
            keys += NEXT_STEP_KEYS
        for key in keys:
            value = inherited.get(key)
            if value is not None:
                self._published.setdefault(key.name, list(value) if isinstance(value, list) else value)

    def _publishes_items_flag(self) -> bool:
        # Added while engagements were running (tests/histories/v11): the count of open
        # items, upserted at every item completed, became a flag that moves when the
        # plan is agreed and when the last item is done; the count is in the details.
        return self._patches.patched(patches.REMEDIATION_ITEMS_FLAG)

    def _items_flag_values(self, engagement: Engagement) -> dict[SearchAttributeKey[Any], Any]:
        flag = None
        if engagement.state.checklist:
            flag = "open" if engagement.open_items() else "done"
        values: dict[SearchAttributeKey[Any], Any] = {sa.REMEDIATION_ITEMS: flag}
        # A run that continued as new from older code inherits the count: unset it, never left stale.
        if workflow.info().typed_search_attributes.get(sa.OPEN_REMEDIATION_ITEMS) is not None:
            self._published.setdefault(sa.OPEN_REMEDIATION_ITEMS.name, "inherited")
        if sa.OPEN_REMEDIATION_ITEMS.name in self._published:
            values[sa.OPEN_REMEDIATION_ITEMS] = None
        return values


NEXT_STEP_KEYS: tuple[SearchAttributeKey[Any], ...] = (sa.NEXT_DEADLINE, sa.NEXT_DEADLINE_KIND, sa.ACTS_NEXT, sa.NEXT_STEP)


def _next_step_values(engagement: Engagement) -> dict[SearchAttributeKey[Any], Any]:
    step = next_step(engagement)
    if step is None:  # closed: unset
        return dict.fromkeys(NEXT_STEP_KEYS)
    return {sa.NEXT_DEADLINE: sa.deadline_number(step.deadline), sa.NEXT_DEADLINE_KIND: step.deadline_kind.value,
            sa.ACTS_NEXT: step.actor.value, sa.NEXT_STEP: step.step.value}
