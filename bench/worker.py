"""The benchmark's worker process: the product's worker, plus the baseline's."""

from __future__ import annotations

import asyncio
import os

from temporalio.worker import Worker

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow, do_nothing
from workers.config import WorkerSettings
from workers.connection import connect
from workers.logs import configure_logging
from workers.worker import build_worker, exit_now


async def serve() -> None:
    settings = WorkerSettings.from_environment()
    configure_logging(settings.log_format, settings.log_level)
    client = await connect(settings)
    product = build_worker(client, settings)
    baseline = Worker(client, task_queue=BASELINE_TASK_QUEUE, workflows=[BaselineWorkflow], activities=[do_nothing],
                      max_cached_workflows=settings.max_cached_workflows)
    async with product, baseline:
        print("bench worker ready", os.getpid(), flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        exit_now(0)
