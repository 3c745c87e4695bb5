"""A query the worker refused as ahead of its task is asked again; any other failure
reaches the caller at once, and the refusals are not asked again for ever."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import OutboundInterceptor, WorkflowQueryFailedError

from engagement_client import query_retry
from engagement_client.query_retry import QueryRetryInterceptor
from engagement_client.query_retry import EARLY_EVENTS_REFUSAL


class Answers(OutboundInterceptor):
    """Stands in for the client's next interceptor: fails as told, then answers."""

    def __init__(self, failures: list[str]) -> None:
        self.failures, self.asked = list(failures), 0

    async def query_workflow(self, input):
        self.asked += 1
        if self.failures:
            raise WorkflowQueryFailedError(self.failures.pop(0))
        return "the state"


async def ask(answers: Answers) -> Any:
    asking_again = QueryRetryInterceptor().intercept_client(answers)
    return await asking_again.query_workflow(None)  # type: ignore[arg-type]  # Answers never reads the input


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(query_retry, "FIRST_PAUSE", 0.001)
    monkeypatch.setattr(query_retry, "LONGEST_PAUSE", 0.002)


async def test_a_refused_query_is_asked_again_until_it_is_answered():
    answers = Answers([EARLY_EVENTS_REFUSAL, EARLY_EVENTS_REFUSAL])
    assert await ask(answers) == "the state"
    assert answers.asked == 3


async def test_any_other_failure_reaches_the_caller_at_once():
    answers = Answers(["Query handler raised: no such field"])
    with pytest.raises(WorkflowQueryFailedError, match="no such field"):
        await ask(answers)
    assert answers.asked == 1


async def test_refusals_without_end_reach_the_caller_once_the_time_is_up(monkeypatch):
    monkeypatch.setattr(query_retry, "GIVE_UP_AFTER", 0.05)
    answers = Answers([EARLY_EVENTS_REFUSAL] * 10_000)
    with pytest.raises(WorkflowQueryFailedError, match="Ask again"):
        await ask(answers)
    assert 1 < answers.asked < 10_000
