"""Writes what an engagement says of itself to the benefit register: its
progress at each phase change, and its whole record and report at closing."""

from __future__ import annotations

import asyncio

from temporalio import activity

from fasttrack.models import RegisterClosing, RegisterProgress
from fasttrack.report import engagement_report
from register import Register


class RegisterActivities:
    """Each write is an idempotent upsert (register/store.py): a retry, a second
    replica or a worker killed mid-write never adds a row or moves a record back.
    A database that does not answer fails the attempt, which is retried."""

    def __init__(self, register: Register) -> None:
        self._register = register

    @activity.defn(name="record_progress")
    async def record_progress(self, progress: RegisterProgress) -> None:
        await asyncio.to_thread(self._register.record_progress, progress)

    @activity.defn(name="record_closing")
    async def record_closing(self, closing: RegisterClosing) -> None:
        report = engagement_report(closing.final_state)
        await asyncio.to_thread(self._register.record_closing, closing, report)
