"""The benchmark's worker process: the product's worker as shipped, each lever's
variant of it on its own task queue (bench/variants.py), and the baseline's worker."""

from __future__ import annotations

import asyncio
import contextlib
import os

from temporalio.worker import Worker

from bench.baseline import BASELINE_TASK_QUEUE, BaselineWorkflow, do_nothing
from bench.variants import VARIANTS
from engagement_client.connection import connect
from process_support.logs import configure_logging
from process_support.process_exit import exit_now
from register import Register
from workers.config import WorkerSettings
from workers.worker import build_worker


async def serve() -> None:
    settings = WorkerSettings.from_environment()
    configure_logging(settings.log_format, settings.log_level)
    client = await connect(settings)
    register = Register(settings.register_url)
    workers = [build_worker(client, settings, register=register)]
    if os.environ.get("FASTTRACK_BENCH_LEVERS") == "1":
        workers += [
            build_worker(client, settings.model_copy(update={"task_queue": variant.task_queue}), register=register,
                         runner=variant.runner(), **variant.worker_options(client))
            for variant in VARIANTS
        ]
    workers.append(Worker(client, task_queue=BASELINE_TASK_QUEUE, workflows=[BaselineWorkflow],
                          activities=[do_nothing], max_cached_workflows=settings.max_cached_workflows))
    async with contextlib.AsyncExitStack() as running:
        for worker in workers:
            await running.enter_async_context(worker)
        print("bench worker ready", os.getpid(), flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        exit_now(0)
