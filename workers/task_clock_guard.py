"""Workflow code runs only at the time of the workflow task it belongs to.

A query goes straight to the worker when the engagement has no workflow task
waiting. If the engagement's next events (an activity's result, a fired timer)
come while that query is on its way, and the worker no longer holds the engagement
in its cache (evicted, or a new worker), the SDK's core reads the whole history
to answer it, finds those events past the last task, and runs the workflow code
they wake at once: at the *previous* task's time, because their task has not
started yet (tests/integration/test_early_events.py stages exactly this). That
task later completes without running any code. A replay runs the same code in the task itself, at its own
time, and reaches other decisions wherever time counts (a deadline passed, an SLA
breached, a timer's length): the replay fails with a nondeterminism error and the
engagement is stuck.

The sign the worker can see: an activation outside replay that carries new events
(the history grew) while neither the workflow time nor the history size moved
since the last activation. Both come only from a workflow task's started event:
every task that starts brings a new time and a larger size, and the activations
within one task share its history length. (The time alone is not enough: the
time-skipping test server's has a millisecond's grain, and two tasks in one
millisecond share it. A server that reports no history size gives no sign, and
nothing is refused there.) Such an activation
is refused here, before any workflow code runs: the worker evicts the engagement,
the query gets ``EARLY_EVENTS_REFUSAL`` (callers ask again, see
engagement_client/query_retry.py) and the task, when it starts, replays the whole history
and runs the code at the task's own time, as every later replay will.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner

from engagement_client.query_retry import EARLY_EVENTS_REFUSAL


EARLY_EVENTS_LOGGED = "engagement let go: events taken in ahead of their workflow task"
log = logging.getLogger("fasttrack.worker")


@dataclasses.dataclass(frozen=True)
class _Seen:
    seconds: int
    nanos: int
    history_length: int
    history_size_bytes: int


def _seen(activation: WorkflowActivation) -> _Seen:
    return _Seen(activation.timestamp.seconds, activation.timestamp.nanos, activation.history_length,
                 activation.history_size_bytes)


def runs_ahead_of_its_task(activation: WorkflowActivation, last: _Seen | None) -> bool:
    """True for an activation that brings new events without the time of a new task."""
    if last is None or activation.is_replaying:
        return False
    if all(job.HasField("query_workflow") or job.HasField("remove_from_cache") for job in activation.jobs):
        return False
    now = _seen(activation)
    if now.history_size_bytes == 0:
        return False
    same_task = (now.seconds, now.nanos, now.history_size_bytes) == (last.seconds, last.nanos, last.history_size_bytes)
    return same_task and now.history_length > last.history_length


class _GuardedInstance(WorkflowInstance):
    def __init__(self, inner: WorkflowInstance) -> None:
        self._inner = inner
        self._last: _Seen | None = None

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        if runs_ahead_of_its_task(act, self._last):
            log.warning(EARLY_EVENTS_LOGGED, extra={"run_id": act.run_id})
            refused = WorkflowActivationCompletion(run_id=act.run_id)
            refused.failed.failure.message = EARLY_EVENTS_REFUSAL
            return refused
        self._last = _seen(act)
        return self._inner.activate(act)

    def get_serialization_context(self, command_info):
        # None: the context-free data converter. The product's converter and codec read
        # no serialization context (engagement_client/payloads.py, tests/unit/test_payload_converter.py), and
        # asking for one ran code in the sandbox and rebuilt the payload converters for
        # every payload a task carried out (about 6% of the worker's busy samples).
        return None

    def get_external_store_context(self, command_info):
        return self._inner.get_external_store_context(command_info)

    def get_info(self):
        return self._inner.get_info()

    def get_thread_id(self) -> int | None:  # the SDK's deadlock report
        return self._inner.get_thread_id()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclasses.dataclass(frozen=True)
class TaskClockGuardedRunner(WorkflowRunner):
    """Any runner, its instances guarded as the module says."""

    inner: WorkflowRunner

    def prepare_workflow(self, defn) -> None:
        self.inner.prepare_workflow(defn)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _GuardedInstance(self.inner.create_instance(det))

    def set_worker_level_failure_exception_types(self, types) -> None:
        self.inner.set_worker_level_failure_exception_types(types)
