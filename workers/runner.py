"""The sandbox the engagements run in, and the variants the benchmark sets beside it.

Workflows run in the SDK's sandbox, with two of its costs removed (bench/results
shows each lever as its own row):
- every module is passed through instead of being re-imported for each run, which
  saves about 60 KiB per cached engagement and the import time. The domain and the
  workflow modules are pure: they hold only constants (tests/unit/test_workflow_modules.py),
  and since the sandbox's run-time checks no longer cover passed-through modules, their
  source is checked for clock, randomness and I/O instead (tests/unit/test_determinism_guard.py);
- the sandbox runs each call in as a small string of code, compiled afresh every
  time; with encryption on it does so four times per payload. Compiled once here.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance


@functools.lru_cache(maxsize=64)
def _compiled(code: str):
    return compile(code, "<workflow sandbox>", "exec")


class _CompiledOnceInstance(_Instance):
    def _run_code(self, code: Any, **extra_globals: Any) -> None:
        super()._run_code(_compiled(code) if isinstance(code, str) else code, **extra_globals)


@dataclasses.dataclass(frozen=True)
class CompiledOnceSandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, with the code it runs each call in compiled once."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _CompiledOnceInstance(det, self.runner_class, self.restrictions)


def workflow_runner() -> WorkflowRunner:
    """The runner the worker ships with."""
    return CompiledOnceSandboxRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())

