"""The worker takes no more workflow tasks at once than its cache holds engagements
(workers/worker.py, ``workflow_task_slots``)."""

from __future__ import annotations

import pytest
from temporalio.worker import WorkerTuner

from register import Register
from workers.config import WorkerSettings
from workers.worker import build_worker


@pytest.mark.parametrize(("cache", "slots"), [(1000, 100), (100, 100), (4, 4), (1, 2), (0, 100)])
async def test_the_workflow_task_slots_stay_within_the_cache(dev_server_env, task_queue, tmp_path, cache, slots):
    settings = WorkerSettings(task_queue=task_queue, data_dir=tmp_path, max_cached_workflows=cache)
    worker = build_worker(dev_server_env.client, settings, register=Register(settings.register_url))

    assert worker.config()["max_concurrent_workflow_tasks"] == slots


async def test_a_lever_that_brings_its_own_slots_or_tuner_keeps_them(dev_server_env, task_queue, tmp_path):
    def settings(queue: str) -> WorkerSettings:
        return WorkerSettings(task_queue=queue, data_dir=tmp_path, max_cached_workflows=4)

    register = Register(settings(task_queue).register_url)
    two = build_worker(dev_server_env.client, settings(task_queue + "-slots"), register=register,
                       max_concurrent_workflow_tasks=2)
    tuned = build_worker(dev_server_env.client, settings(task_queue + "-tuner"), register=register,
                         tuner=WorkerTuner.create_fixed(workflow_slots=8))

    assert two.config()["max_concurrent_workflow_tasks"] == 2
    assert tuned.config().get("max_concurrent_workflow_tasks") is None  # the tuner's own slots stand
