"""The compose deployment's one-shot jobs (deploy/temporal/*.sh), run here as the
admin-tools image runs them: /bin/sh, the `temporal` CLI on the PATH, and only the
environment compose gives them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

JOBS = Path(__file__).resolve().parents[2] / "deploy" / "temporal"


def run_job(script: str, **environment: str) -> subprocess.CompletedProcess:
    env = {**{name: value for name, value in os.environ.items() if not name.startswith("TEMPORAL_")},
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "TEMPORAL_CONFIG_FILE": os.devnull,
           **environment}
    return subprocess.run(["sh", str(JOBS / script)], env=env, capture_output=True, text=True, timeout=120)
