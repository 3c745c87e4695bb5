"""Bad input never hurts an engagement: Hypothesis generates malformed and hostile
payloads for every update, the purchase event and the configuration; each is
refused with a readable reason, the engagement's state and history stay as
they were, and no workflow task fails."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from engagement_client.purchases import record_purchase
from engagement_client.settings import ConfigurationError
from fasttrack.models import EDGE, Phase, Purchase
from fasttrack.policy import BenefitPolicy
from tests.support.scenario import (
    approve_verification,
    drive_through_assess,
    make_environment,
    make_purchase,
    make_scope,
    running_worker,
    state_of,
    wait_for_phase,
)
from tests.support.workflow_checks import settle
from workers.config import WorkerSettings
from workflows.engagement import EngagementWorkflow

EXAMPLES_PER_HANDLER = 25
HOSTILE_TEXT = st.one_of(
    st.text(min_size=2001, max_size=2100),  # longer than any field allows
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), min_size=1, max_size=20).map(
        lambda control: f"x{control}y"
    ),  # control characters
    st.just(""),
    st.just("   "),
    st.sampled_from(["\udcff", "\x00", "\u202e" * 3000]),  # a lone surrogate (not UTF-8), NUL, a huge override
)
WRONG_TYPE = st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
FAR_DATES = st.sampled_from(
    ["1999-01-01", "2999-12-31", "0001-01-01", "not a date", "2026-02-30", "1999-01-01T00:00:00Z", "2999-12-31T00:00:00Z"]
)

# A valid payload for each update, in the phase the probe engagement is in.
VALID = {
    "record_contact": {"by": "Ana"},
    "request_assistance": {"by": "Sam"},
    "hold_kickoff": {"by": "Ana", "scope": json.loads(make_scope().model_dump_json())},
    "submit_environment": {"by": "Sam", "environment": {}},
    "agree_plan": {"by": "Ana", "target_date": (date.today() + timedelta(days=30)).isoformat()},
    "complete_remediation_item": {"by": "Sam", "item_id": "dns-1"},
    "hold_checkpoint": {"by": "Ana"},
    "verify_remediation": {"by": "Ana", "approved": False, "reopen_item_ids": ["dns-1"]},
    "complete_task": {"by": "Sam", "task_id": "intune.groups"},
    "enroll_test_device": {"by": "Sam", "platform": "ios", "device_name": "iPhone-9"},
    "select_app": {"by": "Sam", "platform": "ios", "app_name": "Travel", "link_type": "web_link",
                   "link": "https://apps.example/travel"},
    "reschedule_call": {"by": "Ana", "call": "kickoff", "start": "2030-01-07T10:00:00+01:00"},
    "withdraw": {"by": "Sam", "reason": "No budget"},
}


ALL_DAMAGES = ("missing", "wrong_type", "hostile_text", "unknown_field", "unknown_id", "date")


@st.composite
def corrupted(draw, valid: dict, damages: tuple[str, ...] = ALL_DAMAGES) -> dict:
    """The valid payload with one thing wrong: a field missing, mistyped, hostile,
    unknown, an unknown id, or a date out of any range."""
    payload = json.loads(json.dumps(valid))
    field = draw(st.sampled_from(sorted(payload)))
    damage = draw(st.sampled_from(damages))
    id_fields = [name for name in payload if name.endswith(("_id", "_ids"))]
    date_fields = [name for name in payload if name in ("target_date", "start", "purchased_at")]
    if damage == "missing":
        del payload[field]
    elif damage == "hostile_text":
        payload[draw(st.sampled_from(["by", field]))] = draw(HOSTILE_TEXT)
    elif damage == "unknown_field":
        payload[draw(st.text(min_size=1, max_size=12).filter(lambda name: name not in payload))] = "surprise"
    elif damage == "unknown_id" and id_fields:
        target = draw(st.sampled_from(id_fields))
        unknown = "no-such-" + draw(st.text(alphabet="abcdefgh", min_size=1, max_size=8))
        payload[target] = [unknown] if target.endswith("_ids") else unknown
    elif damage == "date" and date_fields:
        payload[draw(st.sampled_from(date_fields))] = draw(FAR_DATES)
    else:
        original = payload[field]
        payload[field] = draw(WRONG_TYPE.filter(lambda value: type(value) is not type(original)))
    return payload


def generate(strategy, count: int) -> list:
    """Draws ``count`` examples, the same on every run (a fixed budget for CI)."""
    drawn = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example):
        drawn.append(example)

    collect()
    return drawn


async def probe_engagements(client, task_queue, today) -> dict[str, WorkflowHandle]:
    """Engagements waiting in Initiate, in Remediate and in Enable — Intune."""
    policy = BenefitPolicy(business_hours=None)
    now = datetime.now(timezone.utc)
    initiate = (await record_purchase(client, make_purchase(now), task_queue, policy)).handle
    await wait_for_phase(initiate, Phase.INITIATE)
    remediate = (await record_purchase(client, make_purchase(now), task_queue, policy)).handle
    await drive_through_assess(remediate, make_scope(), make_environment(
        gaps=[{"category": "dns", "description": "CNAME"}]), today)
    enable = (await record_purchase(client, make_purchase(now), task_queue, policy)).handle
    await drive_through_assess(enable, make_scope(), make_environment(), today)
    await approve_verification(enable)
    for task in (await state_of(enable)).tasks:
        await enable.execute_update(EngagementWorkflow.complete_task, {"by": "Sam", "task_id": task.id})
    for device in ("iPhone-1", "iPhone-2"):
        await enable.execute_update(EngagementWorkflow.enroll_test_device,
                                    {"by": "Sam", "platform": "ios", "device_name": device})
    assert (await state_of(enable)).phase is Phase.ENABLE_INTUNE
    return {"initiate": initiate, "remediate": remediate, "enable": enable}


async def assert_refused_harmlessly(handle: WorkflowHandle, update: str, payload) -> str:
    events_before = await settle(handle)
    state_before = await state_of(handle)
    try:
        await handle.execute_update(update, payload)
    except WorkflowUpdateFailedError as refused:
        cause = refused.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause)
    except PydanticSerializationError as unsendable:  # a lone surrogate cannot even leave the client as JSON
        message = str(unsendable)
    else:
        raise AssertionError(f"{update} accepted {payload!r}")
    assert message.strip() and "Traceback" not in message, (update, payload)
    assert await state_of(handle) == state_before, (update, payload)
    events = (await handle.fetch_history()).events
    assert len(events) == events_before, (update, payload)  # the real server records nothing of it
    assert not [event for event in events if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
    return message


async def test_malformed_and_hostile_updates_are_refused_and_change_nothing(
    dev_server_env, task_queue, tmp_path, mail_sink
):
    client = dev_server_env.client
    tried: dict[str, int] = {}
    async with running_worker(client, task_queue, mail_sink, tmp_path):
        probes = await probe_engagements(client, task_queue, date.today())
        for update, valid in VALID.items():
            payloads = generate(corrupted(valid), EXAMPLES_PER_HANDLER)
            for number, payload in enumerate(payloads):
                handle = list(probes.values())[number % len(probes)]
                if update in ("complete_remediation_item", "hold_checkpoint", "verify_remediation"):
                    handle = probes["remediate"]
                if update in ("complete_task", "enroll_test_device", "select_app"):
                    handle = probes["enable"]
                await assert_refused_harmlessly(handle, update, payload)
            tried[update] = len(payloads)
        # Past the malformed: out of phase, over a limit, duplicated.
        await assert_refused_harmlessly(probes["enable"], "enroll_test_device",
                                        {"by": "Sam", "platform": "ios", "device_name": "iPhone-3"})
        await assert_refused_harmlessly(probes["initiate"], "complete_task", {"by": "Sam", "task_id": "core.dns"})
        # A malformed signal from another system is dropped; the engagement keeps working.
        for garbage in ({"order_id": 42}, "not an object", None, {"tenant_id": "\x00" * 10}):
            await probes["initiate"].signal("purchase_received", garbage)
        await probes["initiate"].execute_update(EngagementWorkflow.record_contact, {"by": "Ana"})
        assert (await state_of(probes["initiate"])).contact_made_at is not None
        for handle in probes.values():
            events = (await handle.fetch_history()).events
            assert not [event for event in events if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
            await handle.terminate("test finished")
    print("\nHypothesis inputs tried per update: " + ", ".join(f"{name} {count}" for name, count in tried.items()))
    assert all(count == EXAMPLES_PER_HANDLER for count in tried.values())


# The required fields only: leaving out or blanking an optional one is no error.
VALID_PURCHASE = {
    name: value
    for name, value in json.loads(make_purchase(datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)).model_dump_json()).items()
    if Purchase.model_fields[name].is_required()
}


def test_malformed_purchase_events_are_refused_with_the_field_named():
    # Any order id is a possible order: there is no unknown one to send.
    payloads = generate(corrupted(VALID_PURCHASE, tuple(d for d in ALL_DAMAGES if d != "unknown_id")), 200)
    refused = 0
    for payload in payloads:
        try:
            Purchase.model_validate(payload, context=EDGE)
        except ValidationError as error:
            fields = {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}
            assert fields and fields <= set(VALID_PURCHASE) | set(payload), payload
            refused += 1
    print(f"\nHypothesis purchase events tried: {len(payloads)}, refused: {refused}")
    assert refused == len(payloads)


SETTINGS_VALUES = st.one_of(HOSTILE_TEXT, st.text(max_size=30), st.sampled_from(["-1", "0", "99999", "yes?", "tls1"]))


@pytest.mark.parametrize("variable", [
    "FASTTRACK_TEMPORAL_ADDRESS", "FASTTRACK_TEMPORAL_PORT", "FASTTRACK_SMTP_PORT", "FASTTRACK_SMTP_SECURITY",
    "FASTTRACK_SENDER_EMAIL", "FASTTRACK_MANAGER_EMAIL", "FASTTRACK_LOG_FORMAT", "FASTTRACK_LOG_LEVEL",
    "FASTTRACK_SHUTDOWN_GRACE_SECONDS", "FASTTRACK_TEMPORAL_TLS", "FASTTRACK_DATABASE_URL",
])
def test_bad_configuration_is_a_clear_start_up_error(variable, monkeypatch, tmp_path):
    for value in generate(SETTINGS_VALUES, 30):
        if "\x00" in value or "\udcff" in value:
            continue  # an environment variable cannot hold these
        monkeypatch.setenv(variable, value)
        try:
            WorkerSettings.from_environment()
        except ConfigurationError as error:
            assert variable in str(error) and "Traceback" not in str(error)
