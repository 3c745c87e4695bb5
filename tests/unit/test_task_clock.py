"""The rule that tells an activation taken in ahead of its workflow task: the
workflow's time has not moved since the last task began, yet the history is
longer (workflows/task_clock.py). The times and lengths are those of a worker's
trace in which a query took in an activity's result ahead of its task."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import workflows.task_clock as task_clock
from workflows.task_clock import TaskClock

BEGAN = datetime(2026, 12, 7, 5, 3, 13, tzinfo=timezone.utc)


class Activation:
    """What the SDK tells workflow code of the activation under way."""

    def __init__(self) -> None:
        self.time, self.length = BEGAN, 0

    def now(self) -> datetime:
        return self.time

    def info(self):
        return self

    def get_current_history_length(self) -> int:
        return self.length

    def at(self, seconds: float, length: int) -> None:
        self.time, self.length = BEGAN + timedelta(seconds=seconds), length


@pytest.fixture
def activation(monkeypatch) -> Activation:
    current = Activation()
    monkeypatch.setattr(task_clock, "workflow", current)
    return current


def test_a_result_taken_in_for_a_query_is_ahead_of_its_task_until_the_task_begins(activation):
    clock = TaskClock(enabled=True)
    activation.at(0.0, 75)  # a task: an update and a result
    assert not clock.ahead_of_task()
    activation.at(0.0, 90)  # the next task's results, taken in to answer a query: same time, longer history
    assert clock.ahead_of_task()
    activation.at(0.0, 90)  # the query itself, in an activation of its own
    assert clock.ahead_of_task()
    activation.at(0.5, 91)  # the task those results belong to, with the update that came in it
    assert not clock.ahead_of_task()


def test_tasks_in_a_row_and_activations_of_one_task_are_never_ahead(activation):
    clock = TaskClock(enabled=True)
    for seconds, length in ((0.0, 3), (0.2, 16), (0.2, 16), (0.6, 28), (1.1, 41)):
        activation.at(seconds, length)
        assert not clock.ahead_of_task()


def test_a_task_that_no_code_noticed_is_still_the_reference(activation):
    clock = TaskClock(enabled=True)
    activation.at(0.0, 75)
    clock.observe()  # the watch notes every task, even one that woke nothing else
    activation.at(0.0, 90)
    assert clock.ahead_of_task()


def test_runs_started_before_the_change_never_wait(activation):
    clock = TaskClock(enabled=False)
    activation.at(0.0, 75)
    clock.ahead_of_task()
    activation.at(0.0, 90)
    assert not clock.ahead_of_task()
