"""The worker configurations the benchmark measures side by side: the runner (the
sandbox and its options) and the SDK's worker options. The benchmark's worker serves
each on its own task queue, so that every lever is measured in the same run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from bench.idle_activities import idle_activities
from workers.runner import workflow_runner

# What was shipped before: the domain and its libraries shared, the workflow modules re-imported per run.
PRODUCT_PASSTHROUGH = (
    "fasttrack", "pydantic", "pydantic_core", "holidays", "babel", "zoneinfo", "tzdata", "email_validator", "idna",
    "opentelemetry",  # the tracing interceptor's spans, when FASTTRACK_TRACING is on
)

RUNNERS = {
    "sandbox, default restrictions": lambda: SandboxedWorkflowRunner(),
    "sandbox, product modules passed through": lambda: SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PRODUCT_PASSTHROUGH)),
    "sandbox, all modules passed through": lambda: SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_all_modules()),
    "shipped: all passed through, code compiled once": workflow_runner,
    "unsandboxed (a ceiling only, never shipped)": lambda: UnsandboxedWorkflowRunner(),
}


@dataclass(frozen=True)
class Variant:
    name: str
    task_queue: str
    runner: Callable[[], WorkflowRunner] = workflow_runner
    options: Callable[[], dict] = field(default=dict)
    activities: Callable[[Client], list] | None = None  # the product's activities unless given

    def worker_options(self, client: Client) -> dict[str, Any]:
        """The SDK's Worker options, with the variant's own activities when it has them."""
        own = {"activities": self.activities(client)} if self.activities else {}
        return {**self.options(), **own}


def _variants() -> list[Variant]:
    variants = [Variant(name, f"fasttrack-bench-lever-{number}", runner)
                for number, (name, runner) in enumerate(RUNNERS.items())]
    variants += [
        Variant("max_concurrent_workflow_tasks 2", "fasttrack-bench-lever-tasks-2",
                options=lambda: {"max_concurrent_workflow_tasks": 2}),
        Variant("workflow task executor of 2 threads (the SDK's default: 500)", "fasttrack-bench-lever-threads-2",
                options=lambda: {"workflow_task_executor": ThreadPoolExecutor(2)}),
        Variant("max_cached_workflows 4 (most tasks replay the history)", "fasttrack-bench-lever-cache-4",
                options=lambda: {"max_cached_workflows": 4}),
        Variant("activities without their I/O: no mail, no register writes (a ceiling only, never shipped)",
                "fasttrack-bench-lever-idle-activities", activities=idle_activities),
        Variant("unsandboxed, activities without their I/O (both ceilings at once, never shipped)",
                "fasttrack-bench-lever-both-ceilings", UnsandboxedWorkflowRunner, activities=idle_activities),
    ]
    return variants


VARIANTS = _variants()
