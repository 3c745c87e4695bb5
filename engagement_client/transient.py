"""Riding out a connection blip: an RPC that failed on the way (the transport, not
Temporal's answer) is tried again, a few times. Safe only for calls that are the same
call every time: a query, or an update sent with its own id."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.service import RPCError, RPCStatusCode

T = TypeVar("T")
# "transport error" comes as UNKNOWN, a connection closed mid-call as CANCELLED ("operation was canceled").
_ON_THE_WAY = {RPCStatusCode.UNKNOWN, RPCStatusCode.UNAVAILABLE, RPCStatusCode.CANCELLED}


def _on_the_way(error: RPCError) -> bool:
    return error.status in _ON_THE_WAY


async def riding_out(call: Callable[[], Awaitable[T]], attempts: int = 5, pause: float = 0.3) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RPCError as error:
            if attempt == attempts or not _on_the_way(error):
                raise
            await asyncio.sleep(pause * attempt)
    raise AssertionError("unreachable")
