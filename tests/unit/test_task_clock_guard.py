"""The guard refuses exactly the activations that bring new events at an old task's
time, before any workflow code runs, and lets every other activation through."""

from __future__ import annotations

from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import WorkflowRunner

from engagement_client.query_retry import EARLY_EVENTS_REFUSAL
from workers.task_clock_guard import TaskClockGuardedRunner


class Recording:
    """Stands in for the SDK's instance: records what reached the workflow code."""

    def __init__(self) -> None:
        self.reached: list[int] = []

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        self.reached.append(act.history_length)
        done = WorkflowActivationCompletion(run_id=act.run_id)
        done.successful.SetInParent()
        return done

    def get_thread_id(self) -> int:
        return 7


class RecordingRunner(WorkflowRunner):
    def __init__(self) -> None:
        self.instance = Recording()

    def prepare_workflow(self, defn) -> None:
        pass

    def create_instance(self, det):
        return self.instance


def activation(seconds: int, history_length: int, job: str = "fire_timer", replaying: bool = False,
               size: int | None = None) -> WorkflowActivation:
    """``size``: the history size the task's started event reported; by default one
    that grows with each task, as a server's does."""
    act = WorkflowActivation(run_id="run", history_length=history_length, is_replaying=replaying,
                             history_size_bytes=seconds * 10 if size is None else size)
    act.timestamp.seconds = seconds
    getattr(act.jobs.add(), job).SetInParent()
    return act


def guarded() -> tuple:
    runner = RecordingRunner()
    guard = TaskClockGuardedRunner(runner)
    return guard.create_instance(None), runner.instance  # type: ignore[arg-type]  # RecordingRunner never reads it


def test_new_events_at_the_last_tasks_time_are_refused_before_any_code_runs():
    instance, inner = guarded()
    assert instance.activate(activation(100, 3, "initialize_workflow")).HasField("successful")
    assert instance.activate(activation(105, 9)).HasField("successful")  # the next task: a new time

    refused = instance.activate(activation(105, 12))  # a timer fired, taken in with a query: no new task
    assert refused.failed.failure.message == EARLY_EVENTS_REFUSAL
    assert inner.reached == [3, 9]


def test_two_tasks_in_one_millisecond_are_told_apart_by_their_size():
    instance, inner = guarded()
    instance.activate(activation(100, 3, "initialize_workflow", size=500))
    assert instance.activate(activation(100, 9, size=900)).HasField("successful")
    assert inner.reached == [3, 9]


def test_a_server_that_reports_no_history_size_gives_no_sign():
    instance, inner = guarded()
    instance.activate(activation(100, 3, "initialize_workflow", size=0))
    instance.activate(activation(100, 9, size=0))
    assert inner.reached == [3, 9]


def test_every_other_activation_goes_through():
    instance, inner = guarded()
    instance.activate(activation(100, 3, "initialize_workflow"))
    instance.activate(activation(100, 3, "do_update"))  # a second activation in the same task
    instance.activate(activation(100, 3, "query_workflow"))  # a query alone
    instance.activate(activation(100, 5, "query_workflow"))  # a query over a longer history: no code woken
    instance.activate(activation(100, 8, "fire_timer", replaying=True))  # replay follows the history as it is
    instance.activate(activation(140, 14))  # a new task
    assert inner.reached == [3, 3, 3, 5, 8, 14]


def test_the_first_activation_of_an_instance_has_nothing_to_compare_with():
    instance, inner = guarded()
    assert instance.activate(activation(100, 40)).HasField("successful")
    assert instance.get_thread_id() == 7  # the SDK's other calls reach the instance
