"""The product's processes as `fasttrack` subcommands: configured by the environment
only, and saying so when given the operator commands' connection options."""

from __future__ import annotations

import os
import subprocess

import pytest

from devstack.processes import fasttrack_program


@pytest.mark.parametrize("process", ["worker", "intake", "codec-server", "dev"])
def test_a_process_refuses_the_operator_commands_connection_options(process):
    done = subprocess.run([*fasttrack_program("--address", "127.0.0.1:1"), process], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert f"`fasttrack {process}` is configured by environment variables only" in " ".join(done.stderr.split())


def test_a_bad_setting_stops_the_worker_at_start_with_its_name():
    env = {**os.environ, "FASTTRACK_LOG_LEVEL": "LOUD"}
    done = subprocess.run(fasttrack_program("worker"), capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert "fasttrack worker: Invalid configuration" in done.stderr and "FASTTRACK_LOG_LEVEL" in done.stderr
