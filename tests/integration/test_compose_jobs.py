"""The compose deployment's one-shot jobs, run by the same `temporal` CLI against the
real dev server: the namespace and its search attributes (twice, as every `up`
runs it), a failure that stops the job, and the worker version made current
(tests/integration/test_worker_versioning.py)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import yaml

from tests.support.compose_jobs import run_job
from tests.support.stack_process import REPOSITORY
from workflows import search_attributes as sa

COMPOSE = yaml.safe_load((REPOSITORY / "docker-compose.yml").read_text())


def test_the_namespace_job_sets_retention_and_search_attributes_and_can_run_again(dev_server_env):
    address = dev_server_env.client.service_client.config.target_host
    namespace = f"fasttrack-{uuid.uuid4().hex[:8]}"
    job = COMPOSE["services"]["temporal-namespace"]["environment"]
    settings = {"TEMPORAL_ADDRESS": address, "TEMPORAL_NAMESPACE": namespace, "RETENTION": job["RETENTION"],
                "SEARCH_ATTRIBUTES": job["SEARCH_ATTRIBUTES"]}
    for run in ("first", "again"):
        done = run_job("setup-namespace.sh", **settings)
        assert done.returncode == 0, (run, done.stdout, done.stderr)
    described = subprocess.run([str(Path(sys.executable).parent / "temporal"), "operator", "namespace", "describe",
                                "--address", address, "--namespace", namespace, "--output", "json"],
                               capture_output=True, text=True, check=True).stdout
    assert '"workflowExecutionRetentionTtl": "2592000s"' in described  # 720h
    listed = subprocess.run([str(Path(sys.executable).parent / "temporal"), "operator", "search-attribute", "list",
                             "--address", address, "--namespace", namespace], capture_output=True, text=True,
                            check=True).stdout
    assert all(key.name in listed for key in sa.ALL)


def test_the_namespace_job_fails_on_anything_but_an_existing_attribute(dev_server_env):
    done = run_job("setup-namespace.sh", TEMPORAL_ADDRESS=dev_server_env.client.service_client.config.target_host,
                   TEMPORAL_NAMESPACE=f"fasttrack-{uuid.uuid4().hex[:8]}", RETENTION="720h",
                   SEARCH_ATTRIBUTES="FastTrackPhase=Keyword FastTrackBroken=NoSuchType")
    assert done.returncode == 1
    assert "FastTrackBroken" in done.stderr or "NoSuchType" in done.stderr, done.stderr


def test_an_attribute_registered_with_another_type_stops_the_job(dev_server_env):
    address = dev_server_env.client.service_client.config.target_host
    namespace = f"fasttrack-{uuid.uuid4().hex[:8]}"
    first = run_job("setup-namespace.sh", TEMPORAL_ADDRESS=address, TEMPORAL_NAMESPACE=namespace, RETENTION="720h",
                    SEARCH_ATTRIBUTES="FastTrackPhase=Keyword")
    assert first.returncode == 0, first.stderr
    clash = run_job("setup-namespace.sh", TEMPORAL_ADDRESS=address, TEMPORAL_NAMESPACE=namespace, RETENTION="720h",
                    SEARCH_ATTRIBUTES="FastTrackPhase=Int")
    assert clash.returncode == 1
    assert "different type" in clash.stderr
