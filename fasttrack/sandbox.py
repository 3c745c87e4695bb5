"""The domain's one contact with Temporal, documented here so that it stays the
only one: business hours read time-zone and holiday data files the first time a
zone or a country is needed. Inside the workflow sandbox, which forbids file
access, that one read is let through; anywhere else nothing changes."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from temporalio import workflow


def reading_static_data() -> AbstractContextManager[None]:
    if workflow.unsafe.in_sandbox():
        return workflow.unsafe.sandbox_unrestricted()
    return nullcontext()
