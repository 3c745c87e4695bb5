"""A query the worker refused because the engagement's next task had not started
(workers/task_clock_guard.py) is asked again, for every caller of the client: by
then the worker has let the engagement go and the task replays it at its own time.
Any other query failure is the caller's to see."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.client import Interceptor, OutboundInterceptor, QueryWorkflowInput, WorkflowQueryFailedError

FIRST_PAUSE = 0.05
LONGEST_PAUSE = 2.0
GIVE_UP_AFTER = 30.0  # seconds of refusals: the task has not run in that time, so the caller hears why

# The worker's answer to such a query (workers/task_clock_guard.py): the words it is recognised by.
EARLY_EVENTS_REFUSAL = (
    "The engagement's next workflow task had not started when this query reached the worker; "
    "the worker let the engagement go so that the task runs at its own time. Ask again."
)


class _AskingAgain(OutboundInterceptor):
    async def query_workflow(self, input: QueryWorkflowInput) -> Any:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + GIVE_UP_AFTER
        pause = FIRST_PAUSE
        while True:
            try:
                return await super().query_workflow(input)
            except WorkflowQueryFailedError as failure:
                if EARLY_EVENTS_REFUSAL not in failure.message or loop.time() + pause > give_up_at:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)


class QueryRetryInterceptor(Interceptor):
    """Give to ``Client.connect(interceptors=[...])``."""

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _AskingAgain(next)
