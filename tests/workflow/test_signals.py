"""Every action as a signal of the update's name: applied once per request id,
checked by the same rules, and a refusal or an unknown name recorded on the
timeline and shown as a risk, never failing a workflow task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement_client.purchases import record_purchase
from fasttrack.models import Phase, TaskDone
from fasttrack.policy import BenefitPolicy
from fasttrack.presentation import details_markdown
from simulation.customer import SignallingCustomer
from tests.support.scenario import (
    ENVIRONMENT_WITH_GAPS,
    finished,
    make_environment,
    make_purchase,
    make_scope,
    running_worker,
    state_of,
)
from tests.support.workflow_checks import eventually


async def refused_after(handle, count: int):
    async def refused():
        state = await state_of(handle)
        return state if state.signals_refused >= count else None

    return await eventually(refused, 30, "the signal was never recorded")


def last_refusal(state) -> str:
    """The latest refusal's words: the engagement's own events (an outreach sent) may come after it."""
    return [event.detail for event in state.timeline if " refused: " in event.detail][-1]


@pytest.fixture
async def engagement(time_skipping_env, task_queue, tmp_path, mail_sink):
    """A new engagement, with a worker, messages sent at once."""
    env = time_skipping_env
    async with running_worker(env.client, task_queue, mail_sink, tmp_path):
        now = await env.get_current_time()
        yield await record_purchase(env.client, make_purchase(now), task_queue, BenefitPolicy(business_hours=None))


async def test_every_action_as_a_signal_carries_an_engagement_to_completion(time_skipping_env, engagement):
    env, started = time_skipping_env, engagement
    now = await env.get_current_time()
    customer = SignallingCustomer(started.handle)
    await customer.eligibility_checked()
    # A target date ahead: today in UTC is yesterday in Paris late in the UTC day.
    await customer.through_assess(make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS),
                                  now.date() + timedelta(days=30))
    await customer.remediate()
    await customer.approve()
    await customer.enable()
    result = await finished(env, started.handle)
    assert result.outcome.status is Phase.COMPLETED
    assert "event_refused" not in [event.what for event in result.timeline]


async def test_a_refused_unknown_or_repeated_signal_is_recorded_and_changes_nothing_else(engagement):
    handle = engagement.handle
    customer = SignallingCustomer(handle)
    await customer.until_phase(Phase.INITIATE)
    before = await state_of(handle)

    await handle.signal("complete_task", {"by": "Sam", "task_id": "core.dns"})  # not in Enable yet
    state = await refused_after(handle, 1)
    assert "Signal complete_task refused: Cannot complete an Enable task now" in last_refusal(state)
    assert state.phase is Phase.INITIATE and state.tasks == before.tasks
    assert "1 signal(s) refused (see the timeline)" in details_markdown(state, [], None)

    await handle.signal("record_contact", {"by": "Ana\nEve"})  # a line feed in a one-line field
    state = await refused_after(handle, 2)
    assert "Signal record_contact refused: by:" in last_refusal(state) and state.contact_made_at is None

    await handle.signal("hold_kickof", {"by": "Ana"})  # a typing slip
    state = await refused_after(handle, 3)
    assert "Signal hold_kickof refused: no such signal; the engagement takes record_contact" in \
        last_refusal(state)

    await handle.signal("record_contact", args=[{"by": "Ana"}, {"by": "Eve"}])  # two arguments, not one
    state = await refused_after(handle, 4)
    assert "Signal record_contact refused: the action: Input should be a valid dictionary" in \
        last_refusal(state)

    for _ in range(2):  # sent twice, applied once
        await handle.signal("record_contact", {"by": "Ana", "note": "Called", "request_id": "crm-42"})
    await handle.signal("probe", {})  # signals are handled in order: once this one shows, both copies have
    state = await refused_after(handle, 5)
    assert [event.what for event in state.timeline].count("contact_made") == 1
    assert state.signal_requests == ["record_contact:crm-42"] and state.contact_made_at is not None

    # The signalling customer names the refusal it reads on the timeline.
    with pytest.raises(AssertionError, match="complete_task refused: Signal complete_task refused: Cannot complete"):
        await customer.act(TaskDone(by="Sam", task_id="core.dns"))
    await handle.terminate("test finished")
