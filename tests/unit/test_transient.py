"""A connection blip is ridden out; Temporal's own answers are not."""

from __future__ import annotations

import pytest
from temporalio.service import RPCError, RPCStatusCode

from engagement_client.transient import riding_out


def failing(times: int, status: RPCStatusCode):
    calls = []

    async def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise RPCError("transport error", status, b"")
        return "answered"

    return call, calls


async def test_a_blip_is_tried_again_and_answered():
    call, calls = failing(2, RPCStatusCode.UNKNOWN)
    assert await riding_out(call, pause=0) == "answered" and len(calls) == 3


async def test_an_answer_of_temporal_is_not_tried_again():
    call, calls = failing(1, RPCStatusCode.NOT_FOUND)
    with pytest.raises(RPCError):
        await riding_out(call, pause=0)
    assert len(calls) == 1


async def test_blips_that_go_on_end_in_the_last_error():
    call, calls = failing(9, RPCStatusCode.UNAVAILABLE)
    with pytest.raises(RPCError):
        await riding_out(call, attempts=3, pause=0)
    assert len(calls) == 3
