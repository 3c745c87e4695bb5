"""Worker Versioning on the real dev server: a worker registers its deployment and
build, the operator makes that build current with the `temporal` CLI as docs/upgrades.md
says, and an engagement runs on it, auto-upgrading."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

from temporalio.api.enums.v1 import VersioningBehavior

from devstack.processes import fasttrack_program
from engagement_client.purchases import record_purchase
from fasttrack.models import ContactMade, Phase
from fasttrack.policy import BenefitPolicy
from tests.support.compose_jobs import run_job
from tests.support.scenario import make_purchase, wait_for_phase
from tests.support.stack_process import REPOSITORY
from tests.support.worker_process import WorkerProcess
from tests.support.workflow_checks import eventually
from workflows.engagement import EngagementWorkflow

TEMPORAL = str(Path(sys.executable).parent / "temporal")


def temporal(address: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([TEMPORAL, *arguments, "--address", address], capture_output=True, text=True, timeout=60)


def set_current(address: str, deployment: str, build: str) -> subprocess.CompletedProcess:
    """The compose deployment's job, as it runs there."""
    return run_job("set-current-version.sh", TEMPORAL_ADDRESS=address, TEMPORAL_NAMESPACE="default",
                   FASTTRACK_DEPLOYMENT_NAME=deployment, FASTTRACK_BUILD_ID=build)


async def test_a_versioned_worker_registers_its_build_and_runs_engagements_on_it(
        dev_server_env, task_queue, worker_process):
    address = dev_server_env.client.service_client.config.target_host
    deployment, build = f"fasttrack-{uuid.uuid4().hex[:8]}", "build-1"

    def versioned_worker(build_id: str) -> WorkerProcess:
        return worker_process(f"worker-{build_id}", deployment_name=deployment, build_id=build_id)

    first = versioned_worker(build)
    first.start()
    assert f'"deployment_version": "{deployment}:{build}"' in first.log.read_text()

    async def registered():
        described = temporal(address, "worker", "deployment", "describe-version", "--deployment-name",
                             deployment, "--build-id", build, "--output", "json")
        return described.returncode == 0 and task_queue in described.stdout

    await eventually(registered, 30, "the worker's version never registered")
    made_current = set_current(address, deployment, build)
    assert made_current.returncode == 0, made_current.stdout + made_current.stderr
    deployment_described = json.loads(temporal(address, "worker", "deployment", "describe", "--name", deployment,
                                               "--output", "json").stdout)
    assert build in json.dumps(deployment_described["routingConfig"])

    started = await record_purchase(dev_server_env.client, make_purchase(datetime.now(timezone.utc)), task_queue,
                                    BenefitPolicy(business_hours=None))
    await wait_for_phase(started.handle, Phase.INITIATE)
    versioning = (await started.handle.describe()).raw_description.workflow_execution_info.versioning_info
    assert versioning.behavior == VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE
    assert (versioning.deployment_version.deployment_name, versioning.deployment_version.build_id) == (
        deployment, build)

    # The next build: its worker registers, becomes current, and the running engagement moves to it.
    versioned_worker("build-2").start()
    made_current = set_current(address, deployment, "build-2")
    assert made_current.returncode == 0, made_current.stdout + made_current.stderr
    await started.handle.execute_update(EngagementWorkflow.record_contact, ContactMade(by="Ana (FastTrack)"))

    async def upgraded():
        # The new routing reaches the task queue within seconds: each signal is a next task.
        await started.handle.signal("record_contact", {"by": "Ana (FastTrack)", "request_id": "again"})
        info = (await started.handle.describe()).raw_description.workflow_execution_info.versioning_info
        return info.deployment_version.build_id == "build-2"

    await eventually(upgraded, 30, "the running engagement never moved to build-2")
    await started.handle.terminate("test finished")


def test_half_a_version_is_a_configuration_error(tmp_path):
    done = subprocess.run(fasttrack_program("worker"), cwd=REPOSITORY, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "FASTTRACK_DEPLOYMENT_NAME": "fasttrack",
                                           "FASTTRACK_DATA_DIR": str(tmp_path)})
    assert done.returncode != 0
    assert "needs both FASTTRACK_DEPLOYMENT_NAME and FASTTRACK_BUILD_ID" in done.stderr
