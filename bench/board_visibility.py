"""The board's list over many open engagements, in Temporal's visibility alone: engagement
workflows that no worker runs, with the search attributes and memo an engagement publishes,
their next deadlines crowded as the scale run's are (all in Initiate, bought within a few
minutes, so their contact SLAs fall within the same minutes). The board reads nothing else,
so this is what its list costs at a size the scale run takes an hour to reach.

    .venv/bin/python -m bench.board_visibility 50000        (a few minutes per 10,000)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from bench.report import console, percentile
from bench.scale import board_times
from devstack.settings import server_limit_flags, temporal_cli
from engagement_client.codec import EncryptionCodec
from engagement_client.payloads import data_converter
from workflows import search_attributes as sa

STARTS_AT_ONCE = 50
START_RATE = 90  # engagements bought per second, as the scale run starts them


async def start_engagements(client: Client, count: int, now: datetime) -> None:
    limit = asyncio.Semaphore(STARTS_AT_ONCE)

    async def one(number: int) -> None:
        deadline = now + timedelta(days=30, seconds=number / START_RATE)
        pairs: list[SearchAttributePair[Any]] = [
            SearchAttributePair(sa.PHASE, "initiate"), SearchAttributePair(sa.PHASE_SINCE, now),
            SearchAttributePair(sa.TENANT_ID, str(uuid.uuid4())), SearchAttributePair(sa.REGION, "emea"),
            SearchAttributePair(sa.ONBOARDING_DEADLINE, now + timedelta(days=365)),
            SearchAttributePair(sa.CONTACT_SLA_BREACHED, False), SearchAttributePair(sa.REMEDIATION_STALLED, False),
            SearchAttributePair(sa.NEXT_DEADLINE, sa.deadline_number(deadline)),
            SearchAttributePair(sa.NEXT_DEADLINE_KIND, "contact-sla"), SearchAttributePair(sa.ACTS_NEXT, "fasttrack"),
            SearchAttributePair(sa.NEXT_STEP, "reach-customer")]
        async with limit:
            await client.start_workflow("EngagementWorkflow", id=f"fasttrack-intune-{uuid.uuid4()}",
                                        task_queue="no-worker", search_attributes=TypedSearchAttributes(pairs),
                                        memo={"organization": f"Organization {number}"})
        if (number + 1) % 10_000 == 0:
            console.print(f"  started {number + 1:,}")

    await asyncio.gather(*(one(number) for number in range(count)))
    while (await client.count_workflows("WorkflowType = 'EngagementWorkflow'")).count < count:
        await asyncio.sleep(1)


async def main(count: int, samples: int) -> None:
    with tempfile.TemporaryDirectory(prefix="fasttrack-board-bench-") as scratch:
        env = await WorkflowEnvironment.start_local(
            # Encrypted as a deployment's are: the organization shown is decrypted from each row's memo.
            data_converter=data_converter(EncryptionCodec.from_configuration(
                "bench:" + base64.b64encode(os.urandom(32)).decode())), dev_server_existing_path=str(temporal_cli()),
            search_attributes=sa.ALL, dev_server_database_filename=str(Path(scratch) / "temporal.db"),
            dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
                                   *server_limit_flags()])
        try:
            began = time.perf_counter()
            await start_engagements(env.client, count, datetime.now(timezone.utc))
            console.print(f"{count:,} open engagements in visibility in {time.perf_counter() - began:.0f} s")
            first, following = await board_times(env.client, samples)
            console.print(f"board list at {count:,}: first page p50 {percentile(first, 0.5):.1f} ms "
                          f"(p99 {percentile(first, 0.99):.0f} ms), next page p50 {percentile(following, 0.5):.1f} ms")
        finally:
            await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int, help="open engagements")
    parser.add_argument("--samples", type=int, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.count, arguments.samples))
