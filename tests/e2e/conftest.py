from __future__ import annotations

import os

import pytest

from tests.support.cli_process import cli_runner
from tests.support.stack_process import Stack


@pytest.fixture
def cli(dev_server_env, task_queue):
    """`fasttrack`, as a subprocess, on the suite's dev server and this test's task queue."""
    return cli_runner({
        **os.environ,
        "FASTTRACK_TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "FASTTRACK_TASK_QUEUE": task_queue,
        "FASTTRACK_ACTOR": "Ana (FastTrack)",
        "COLUMNS": "200",
    })


@pytest.fixture
def stack(tmp_path, request):
    """The `make run` stack as a subprocess, in a folder and on ports of its own."""
    stack = Stack(tmp_path / "data", keys_in_data_dir=getattr(request, "param", False))
    yield stack
    stack.kill()
